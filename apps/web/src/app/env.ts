// The only reader of import.meta.env in the SPA.

const defaultApiUrls = 'http://localhost:4000,http://localhost:4001';

/** "http://a:4000/, http://b:4001" -> ["http://a:4000", "http://b:4001"], without duplicates. */
export function parseApiUrls(raw: string | undefined): string[] {
  const urls = (raw?.trim() ? raw : defaultApiUrls)
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return [...new Set(urls)];
}

/** The APIs the mode switch can point at; the SPA learns each one's mode from GET /api/config. */
export const apiUrls: readonly string[] = parseApiUrls(import.meta.env.VITE_API_URLS);
