/** What a protected route leaves in history state when it sends a visitor to /login. */
export interface RedirectState {
  from?: { pathname: string; search?: string; hash?: string };
}

const authPages = new Set(['/login', '/register']);

/** Where to go after login: the page the visitor was headed to, if it is one of ours. */
export function redirectTargetOf(state: unknown): string {
  const from = (state as RedirectState | null)?.from;
  if (!from || typeof from.pathname !== 'string') return '/';
  // Only same-app paths: "//evil.example" would leave the site.
  if (!from.pathname.startsWith('/') || from.pathname.startsWith('//') || authPages.has(from.pathname)) return '/';
  return `${from.pathname}${from.search ?? ''}${from.hash ?? ''}`;
}
