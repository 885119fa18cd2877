import type { AuthMode } from '@authbench/contract';
import { createJwtCookieStrategy } from './jwt-cookie-strategy';
import { createJwtDpopStrategy } from './jwt-dpop-strategy';
import { createJwtStrategy } from './jwt-strategy';
import { createSessionStrategy } from './session-strategy';
import type { AuthDeps, AuthStrategy } from './strategy';

const strategies = {
  session: createSessionStrategy,
  jwt: createJwtStrategy,
  'jwt-cookie': createJwtCookieStrategy,
  'jwt-dpop': createJwtDpopStrategy,
} satisfies Record<AuthMode, (deps: AuthDeps) => AuthStrategy>;

/** The one place that reads the auth mode: everything else talks to the strategy. */
export const createAuthStrategy = (deps: AuthDeps): AuthStrategy => strategies[deps.config.authMode](deps);
