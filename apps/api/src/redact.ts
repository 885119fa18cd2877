const mask = '***';

// The userinfo of anything URL-like in free text, malformed URLs included: up to the last `@`
// before whitespace, since a password may hold `@`, `/` or `:` that the author forgot to escape.
const urlCredentials = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s]*@/gi;
// libpq and node-postgres also take the password as a query parameter.
const passwordParameter = /([?&;]\s*(?:password|pass|pwd|sslpassword)=)[^&\s'"]*/gi;

/** Where the userinfo of a single URL value sits (malformed or not): after `://`, up to the last `@`. */
function userinfoOf(text: string): { start: number; end: number } | undefined {
  const scheme = text.indexOf('://');
  const start = scheme < 0 ? 0 : scheme + 3;
  const end = text.lastIndexOf('@');
  return end > start ? { start, end } : undefined;
}

/** The passwords in a URL value, parseable or not: in its userinfo and in its query. */
export function urlPasswords(text: string): string[] {
  const passwords: string[] = [];
  const userinfo = userinfoOf(text);
  const colon = userinfo ? text.indexOf(':', userinfo.start) : -1;
  if (userinfo && colon >= 0 && colon < userinfo.end) passwords.push(text.slice(colon + 1, userinfo.end));
  for (const match of text.matchAll(passwordParameter)) passwords.push(match[0].slice(match[1]?.length));
  return passwords.filter(Boolean);
}

/** A URL value with its password masked, for messages; it need not parse (config errors show bad ones). */
export function redactUrl(text: string): string {
  const userinfo = userinfoOf(text);
  let out = text;
  if (userinfo) {
    const colon = text.indexOf(':', userinfo.start);
    if (colon >= 0 && colon < userinfo.end) out = `${text.slice(0, colon + 1)}${mask}${text.slice(userinfo.end)}`;
  }
  return out.replace(passwordParameter, `$1${mask}`);
}

/** The forms a secret takes in printed output: as is, URL-escaped and URL-unescaped, JSON-escaped. */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    // Not URL-escaped: nothing more to add.
  }
  // Short strings would mangle the text around them and are no secret worth the name.
  return [...forms].filter((form) => form.length >= 4);
}

/**
 * Text about to be printed or logged, with every URL password and every given secret masked.
 * Longest first, so that a secret containing another is masked whole.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const forms = secrets.flatMap(formsOf).sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.replaceAll(form, mask);
  return out.replace(urlCredentials, `$1${mask}@`).replace(passwordParameter, `$1${mask}`);
}

/** A logged value (an error serialised for pino) with every string in it redacted. */
export function redactDeep(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, secrets, depth + 1)]));
}
