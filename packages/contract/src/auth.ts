import { z } from 'zod';
import { DisplayName, Email, Password, User } from './user';

export const AuthMode = z.enum(['session', 'jwt', 'jwt-cookie', 'jwt-dpop']);
export type AuthMode = z.infer<typeof AuthMode>;
export const authModes = AuthMode.options;

export const RegisterRequest = z.object({ email: Email, password: Password, name: DisplayName });
export type RegisterRequest = z.input<typeof RegisterRequest>;

export const LoginRequest = z.object({ email: Email, password: Password });
export type LoginRequest = z.input<typeof LoginRequest>;

export const CsrfResponse = z.object({ csrfToken: z.string() });
export type CsrfResponse = z.infer<typeof CsrfResponse>;

const ExpiresIn = z.number().int().positive();

/** jwt mode's refresh answer: the access token travels in the body, for script to hold. */
export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: ExpiresIn,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** jwt-dpop mode's refresh answer: as jwt mode's, for a token bound to the client's key (RFC 9449 §5). */
export const DpopTokenResponse = TokenResponse.extend({ tokenType: z.literal('DPoP') });
export type DpopTokenResponse = z.infer<typeof DpopTokenResponse>;

/** jwt-cookie mode's refresh answer: the new access token is in the `at` cookie, never here. */
export const CookieTokenResponse = z.strictObject({ expiresIn: ExpiresIn });
export type CookieTokenResponse = z.infer<typeof CookieTokenResponse>;

export const SessionLoginResponse = z.strictObject({ user: User, csrfToken: z.string() });
export type SessionLoginResponse = z.infer<typeof SessionLoginResponse>;

export const JwtLoginResponse = TokenResponse.extend({ user: User });
export type JwtLoginResponse = z.infer<typeof JwtLoginResponse>;

export const DpopLoginResponse = DpopTokenResponse.extend({ user: User });
export type DpopLoginResponse = z.infer<typeof DpopLoginResponse>;

export const JwtCookieLoginResponse = z.strictObject({ user: User, csrfToken: z.string(), expiresIn: ExpiresIn });
export type JwtCookieLoginResponse = z.infer<typeof JwtCookieLoginResponse>;

/** What each mode answers to a login or a register (201). */
export const loginResponses = {
  session: SessionLoginResponse,
  jwt: JwtLoginResponse,
  'jwt-cookie': JwtCookieLoginResponse,
  'jwt-dpop': DpopLoginResponse,
} as const satisfies Record<AuthMode, z.ZodType>;
export type LoginResponse = z.infer<(typeof loginResponses)[AuthMode]>;

/** What each mode with a refresh token answers to POST /api/auth/refresh. */
export const refreshResponses = {
  jwt: TokenResponse,
  'jwt-cookie': CookieTokenResponse,
  'jwt-dpop': DpopTokenResponse,
} as const satisfies Partial<Record<AuthMode, z.ZodType>>;
export type RefreshResponse = z.infer<(typeof refreshResponses)[keyof typeof refreshResponses]>;

export const AccessTokenClaims = z.object({
  sub: z.string().min(1),
  sid: z.string().min(1),
  jti: z.string().min(1),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  nbf: z.number().optional(),
  /** jwt-dpop mode: the RFC 7638 thumbprint of the key the token is bound to (RFC 9449 §6.1). */
  cnf: z.object({ jkt: z.string().min(1) }).optional(),
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;

export const Jwk = z.looseObject({
  kty: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.literal('sig'),
});
export const Jwks = z.object({ keys: z.array(Jwk) });
export type Jwks = z.infer<typeof Jwks>;

/**
 * Cookie names: the spec's, with the prefixes browsers enforce when cookies are Secure
 * (`__Host-` for Path=/ cookies, `__Secure-` for `rt`, whose Path is /api/auth).
 */
export const cookieNames = (secure: boolean) => ({
  /** session mode: names the server-side session. */
  session: secure ? '__Host-sid' : 'sid',
  /** jwt modes: the rotating refresh token. */
  refresh: secure ? '__Secure-rt' : 'rt',
  /** jwt-cookie mode: the access token itself. */
  access: secure ? '__Host-at' : 'at',
  /** Modes with CSRF tokens, before login: the random value a token is signed over (double submit). */
  csrf: secure ? '__Host-csrf' : 'csrf',
});
export const csrfHeader = 'X-CSRF-Token';
/** jwt-dpop mode (RFC 9449): the proof on every request that uses or obtains a token, and the server's nonce. */
export const dpopHeader = 'DPoP';
export const dpopNonceHeader = 'DPoP-Nonce';

/** A session's (or refresh family's) public id: 22 URL-safe characters. */
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'Not a session id.');
export const SessionParams = z.object({ id: SessionId });
