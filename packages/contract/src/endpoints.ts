import type { z } from 'zod';
import {
  CsrfResponse,
  Jwks,
  LoginRequest,
  LoginResponse,
  RegisterRequest,
  TokenResponse,
  type AuthMode,
} from './auth';
import { ConfigResponse, HealthResponse } from './config';
import { MeResponse, UpdateMeRequest } from './me';
import { SessionsResponse } from './sessions';

export const paths = {
  health: '/api/health',
  config: '/api/config',
  openapi: '/api/openapi.json',
  csrf: '/api/auth/csrf',
  register: '/api/auth/register',
  login: '/api/auth/login',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
  logoutAll: '/api/auth/logout-all',
  sessions: '/api/auth/sessions',
  session: (id: string) => `/api/auth/sessions/${encodeURIComponent(id)}`,
  me: '/api/me',
  jwks: '/.well-known/jwks.json',
} as const;

export interface Endpoint {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  modes: readonly AuthMode[];
  authenticated: boolean;
  request?: z.ZodType;
  status: number;
  response?: z.ZodType;
}

const both = ['session', 'jwt'] as const;

/** Every endpoint of the HTTP contract; the OpenAPI document is generated from this list. */
export const endpoints: readonly Endpoint[] = [
  { method: 'get', path: paths.health, summary: 'Liveness and store checks', modes: both, authenticated: false, status: 200, response: HealthResponse },
  { method: 'get', path: paths.config, summary: 'The mode of this API', modes: both, authenticated: false, status: 200, response: ConfigResponse },
  { method: 'get', path: paths.csrf, summary: 'A CSRF token for this session', modes: ['session'], authenticated: false, status: 200, response: CsrfResponse },
  { method: 'post', path: paths.register, summary: 'Create an account and log in', modes: both, authenticated: false, request: RegisterRequest, status: 201, response: LoginResponse },
  { method: 'post', path: paths.login, summary: 'Log in', modes: both, authenticated: false, request: LoginRequest, status: 200, response: LoginResponse },
  { method: 'post', path: paths.refresh, summary: 'Rotate the refresh cookie for a new access token', modes: ['jwt'], authenticated: false, status: 200, response: TokenResponse },
  { method: 'post', path: paths.logout, summary: 'End this session or token family', modes: both, authenticated: false, status: 204 },
  { method: 'post', path: paths.logoutAll, summary: 'End every session of the user', modes: both, authenticated: true, status: 204 },
  { method: 'get', path: paths.sessions, summary: 'The user’s active sessions', modes: both, authenticated: true, status: 200, response: SessionsResponse },
  { method: 'delete', path: '/api/auth/sessions/{id}', summary: 'Revoke one of the user’s sessions', modes: both, authenticated: true, status: 204 },
  { method: 'get', path: paths.me, summary: 'The current user', modes: both, authenticated: true, status: 200, response: MeResponse },
  { method: 'patch', path: paths.me, summary: 'Edit the current user', modes: both, authenticated: true, request: UpdateMeRequest, status: 200, response: MeResponse },
  { method: 'get', path: paths.jwks, summary: 'Public keys that verify access tokens', modes: ['jwt'], authenticated: false, status: 200, response: Jwks },
];


