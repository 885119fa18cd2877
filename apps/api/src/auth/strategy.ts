import type { AuthMode, ConfigResponse, LoginResponse, SessionInfo, User } from '@authbench/contract';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Secrets } from '../secrets';
import type { Storage } from '../storage/storage';

export interface AuthContext {
  userId: string;
  /** The public id of this login: a session's, or a refresh-token family's (`sid`). */
  sessionId: string;
}

/** What differs between the modes, and nothing else. */
export interface AuthStrategy {
  readonly mode: AuthMode;
  /** Runs on every request before routing: loads the session and checks CSRF in session mode. */
  readonly beforeRoutes: RequestHandler[];
  /** Cookie-bearing endpoints that a browser must call from an allowed origin. */
  mustCarryOrigin(req: Request): boolean;
  /** The mode's own endpoints (csrf, or refresh and JWKS). */
  readonly routes: Router;
  readonly publicConfig: ConfigResponse;
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
