import { z } from 'zod';
import { DisplayName, Email, Password, User } from './user';

export const AuthMode = z.enum(['session', 'jwt']);
export type AuthMode = z.infer<typeof AuthMode>;
export const authModes = AuthMode.options;

export const RegisterRequest = z.object({ email: Email, password: Password, name: DisplayName });
export type RegisterRequest = z.input<typeof RegisterRequest>;

export const LoginRequest = z.object({ email: Email, password: Password });
export type LoginRequest = z.input<typeof LoginRequest>;

export const CsrfResponse = z.object({ csrfToken: z.string() });
export type CsrfResponse = z.infer<typeof CsrfResponse>;

export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().positive(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const SessionLoginResponse = z.object({ user: User, csrfToken: z.string() });
export type SessionLoginResponse = z.infer<typeof SessionLoginResponse>;

export const JwtLoginResponse = TokenResponse.extend({ user: User });
export type JwtLoginResponse = z.infer<typeof JwtLoginResponse>;

export const LoginResponse = z.union([SessionLoginResponse, JwtLoginResponse]);
export type LoginResponse = z.infer<typeof LoginResponse>;

export const AccessTokenClaims = z.object({
  sub: z.string().min(1),
  sid: z.string().min(1),
  jti: z.string().min(1),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  nbf: z.number().optional(),
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

/** Cookie names: the spec's, with the prefixes browsers enforce when cookies are Secure. */
export const cookieNames = (secure: boolean) => ({
  session: secure ? '__Host-sid' : 'sid',
  refresh: secure ? '__Secure-rt' : 'rt',
});
export const csrfHeader = 'X-CSRF-Token';
