export interface FoundBrowser {
  path: string;
  /** Which browser was picked, and how: printed by run-e2e.mjs. */
  how: string;
}

export function findChromium(options?: { install?: boolean; headlessShell?: boolean }): FoundBrowser | undefined;
export type FoundChromium = FoundBrowser;
export function findFirefox(options?: { install?: boolean }): FoundBrowser | undefined;
