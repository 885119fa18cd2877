import type { AccessTokenClaims, AuthMode, ConfigResponse, EndpointName, LoginResponse, SessionInfo, User } from '@authbench/contract';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Secrets } from './secrets';
import type { Storage } from '../storage/storage';

export interface AuthContext {
  userId: string;
  /** The public id of this login: a session's, or a refresh-token family's (`sid`). */
  sessionId: string;
  /** The verified access token's claims, in the modes that have one. */
  claims?: AccessTokenClaims;
}

/** What differs between the modes, and nothing else. */
export interface AuthStrategy {
  readonly mode: AuthMode;
  /** Runs first on every request, before any check may answer: headers every response carries. */
  readonly everyResponse: RequestHandler[];
  /** Request headers the mode's clients send, and response headers they read, beyond the common ones (CORS). */
  readonly corsHeaders: { allowed: string[]; exposed: string[] };
  /** Runs on every request before routing: loads the session, checks CSRF. */
  readonly beforeRoutes: RequestHandler[];
  /** The mode's own endpoints (csrf, refresh, jwks): the contract says which a mode has. */
  readonly handlers: Partial<Record<EndpointName, RequestHandler>>;
  /** What the mode says of itself in GET /api/config (the route adds where the asking page lives). */
  readonly publicConfig: Omit<ConfigResponse, 'deployment'>;
  /** The caller's login, or throws 401 with the mode's code. */
  authenticate(req: Request, res: Response): Promise<AuthContext>;
  signIn(req: Request, res: Response, user: User): Promise<LoginResponse>;
  signOut(req: Request, res: Response): Promise<void>;
  listSessions(req: Request, auth: AuthContext): Promise<SessionInfo[]>;
  /** Ends the caller's sessions with these ids, or all of them; returns how many ended. */
  revokeSessions(req: Request, res: Response, auth: AuthContext, ids?: string[]): Promise<number>;
}

export interface AuthDeps {
  config: Config;
  secrets: Secrets;
  storage: Storage;
  now: () => number;
  logger: Logger;
}
