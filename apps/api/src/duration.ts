const unitSeconds = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `300`, `300s`, `5m`, `12h` or `7d` → seconds; undefined when the text is none of those. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const seconds = Number(amount) * unitSeconds[(unit || 's') as keyof typeof unitSeconds];
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}
