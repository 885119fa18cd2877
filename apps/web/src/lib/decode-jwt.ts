import { AccessTokenClaims } from '@authbench/contract';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The payload read with the contract's claim schema; null when it does not match. */
  claims: AccessTokenClaims | null;
}

function decodeSegment(segment: string): Record<string, unknown> | null {
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Reads a JWT for display only. Nothing is verified here and nothing may be decided from it:
 * the API verifies every token; the SPA only shows what any script on the page could read.
 */
export function decodeJwt(token: string): DecodedJwt | null {
  const [header, payload] = token.split('.');
  if (header === undefined || payload === undefined) return null;
  const decodedHeader = decodeSegment(header);
  const decodedPayload = decodeSegment(payload);
  if (!decodedHeader || !decodedPayload) return null;
  const claims = AccessTokenClaims.safeParse(decodedPayload);
  return { header: decodedHeader, payload: decodedPayload, claims: claims.success ? claims.data : null };
}
