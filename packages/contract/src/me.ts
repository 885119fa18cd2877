import { z } from 'zod';
import { AccessTokenClaims, SessionId } from './auth';
import { DisplayName, User } from './user';

/**
 * How the caller is logged in, as the API sees it: the login's public id and, in the jwt modes,
 * the claims of the verified access token (jwt-cookie mode's script cannot read its cookie, so
 * this is the only way /inspect can show them). Never the token or the cookie itself.
 */
export const LoginInfo = z.object({
  sessionId: SessionId,
  claims: AccessTokenClaims.optional(),
});
export type LoginInfo = z.infer<typeof LoginInfo>;

export const MeResponse = z.object({ user: User, login: LoginInfo.optional() });
export type MeResponse = z.infer<typeof MeResponse>;

export const UpdateMeRequest = z.object({ name: DisplayName });
export type UpdateMeRequest = z.input<typeof UpdateMeRequest>;
