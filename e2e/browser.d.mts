export interface FoundChromium {
  path: string;
  /** Which browser was picked, and how: printed by run-e2e.mjs. */
  how: string;
}

export function findChromium(options?: { install?: boolean }): FoundChromium | undefined;
