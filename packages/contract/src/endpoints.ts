import type { z } from 'zod';
import {
  CsrfResponse,
  Jwks,
  LoginRequest,
  loginResponses,
  refreshResponses,
  RegisterRequest,
  SessionParams,
  AuthMode,
} from './auth';
import { ConfigResponse, HealthResponse } from './config';
import { cspReportMediaTypes, CspReportRequest } from './csp-report';
import { proofErrorCodes, type ErrorCode } from './errors';
import { MeResponse, UpdateMeRequest } from './me';
import { cspReportPath } from './page-policy';
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
  cspReports: cspReportPath,
} as const;

/** How each mode carries a login, as far as the contract's shapes and codes go. */
export interface ModeTraits {
  /** Unsafe requests carry X-CSRF-Token (the browser attaches the credential by itself). */
  csrf: boolean;
  /** What an authenticated endpoint answers when the credential is missing or bad. */
  authErrors: readonly ErrorCode[];
  /** The OpenAPI security scheme of an authenticated endpoint. */
  security: 'sessionCookie' | 'bearer' | 'accessCookie' | 'dpop';
  /** Has a refresh token (cookie `rt`): refresh and logout are cookie-bearing, Origin required. */
  refreshToken: boolean;
  /** Requests that use or obtain a token carry a DPoP proof (RFC 9449): login, register, refresh, logout too. */
  proof: boolean;
  /** Script holds the access token (in memory) and adds it to each request: a logout cannot take it back. */
  tokenInScript: boolean;
}

const tokenErrors = ['unauthenticated', 'token_expired', 'token_invalid'] as const;

export const modeTraits = {
  session: { csrf: true, authErrors: ['unauthenticated'], security: 'sessionCookie', refreshToken: false, proof: false, tokenInScript: false },
  jwt: { csrf: false, authErrors: tokenErrors, security: 'bearer', refreshToken: true, proof: false, tokenInScript: true },
  'jwt-cookie': { csrf: true, authErrors: tokenErrors, security: 'accessCookie', refreshToken: true, proof: false, tokenInScript: false },
  'jwt-dpop': { csrf: false, authErrors: [...tokenErrors, ...proofErrorCodes], security: 'dpop', refreshToken: true, proof: true, tokenInScript: true },
} as const satisfies Record<AuthMode, ModeTraits>;

type Method = 'get' | 'post' | 'patch' | 'delete';

export interface Endpoint {
  method: Method;
  /** OpenAPI style: `{id}` for a path parameter. */
  path: string;
  summary: string;
  modes: readonly AuthMode[];
  authenticated: boolean;
  /** Path parameters, validated before anything else looks at them. */
  params?: z.ZodObject;
  request?: z.ZodType;
  status: number;
  /** One schema, or one per mode where the modes answer differently. */
  response?: z.ZodType | Partial<Record<AuthMode, z.ZodType>>;
  /** The endpoint's own error codes, beyond those every request of its kind may meet (see errorsOf). */
  errors: readonly ErrorCode[];
  /** Carries the refresh cookie: a browser must call it from an allowed origin (Origin required). */
  cookieBearing?: boolean;
  /** Needs no store (answers 503 never). */
  storeless?: boolean;
  /** Issues tokens (login, register, refresh): where a bad DPoP proof is 400, not 401 (see statusAt). */
  issuesTokens?: boolean;
  /** The media types its body may come in; plain JSON only unless listed. */
  requestTypes?: readonly string[];
  /**
   * Sent by the browser itself, never by the app (a violation report): it carries no CSRF token
   * and needs none, since it reads no credential and changes nothing of anyone's.
   */
  withoutCsrfToken?: boolean;
}

const all = AuthMode.options;
const withCsrf = all.filter((mode) => modeTraits[mode].csrf);
const withRefresh = all.filter((mode) => modeTraits[mode].refreshToken);

/** Every endpoint of the HTTP contract; the routes and the OpenAPI document are built from this list. */
export const endpoints = {
  health: { method: 'get', path: paths.health, summary: 'Liveness and store checks', modes: all, authenticated: false, status: 200, response: HealthResponse, errors: [] },
  config: { method: 'get', path: paths.config, summary: 'The mode of this API and its live settings', modes: all, authenticated: false, status: 200, response: ConfigResponse, errors: [], storeless: true },
  openapi: { method: 'get', path: paths.openapi, summary: 'This document', modes: all, authenticated: false, status: 200, errors: [], storeless: true },
  csrf: { method: 'get', path: paths.csrf, summary: 'A CSRF token for this login, or for this browser before login', modes: withCsrf, authenticated: false, status: 200, response: CsrfResponse, errors: [] },
  register: { method: 'post', path: paths.register, summary: 'Create an account and log in', modes: all, authenticated: false, request: RegisterRequest, status: 201, response: loginResponses, errors: ['email_taken', 'rate_limited'], issuesTokens: true },
  login: { method: 'post', path: paths.login, summary: 'Log in', modes: all, authenticated: false, request: LoginRequest, status: 200, response: loginResponses, errors: ['invalid_credentials', 'rate_limited'], issuesTokens: true },
  refresh: { method: 'post', path: paths.refresh, summary: 'Rotate the refresh cookie for a new access token', modes: withRefresh, authenticated: false, status: 200, response: refreshResponses, errors: ['unauthenticated', 'token_invalid'], cookieBearing: true, issuesTokens: true },
  logout: { method: 'post', path: paths.logout, summary: 'End this session or token family', modes: all, authenticated: false, status: 204, errors: [], cookieBearing: true },
  logoutAll: { method: 'post', path: paths.logoutAll, summary: 'End every session of the user', modes: all, authenticated: true, status: 204, errors: [] },
  sessions: { method: 'get', path: paths.sessions, summary: 'The user’s active sessions', modes: all, authenticated: true, status: 200, response: SessionsResponse, errors: [] },
  revokeSession: { method: 'delete', path: '/api/auth/sessions/{id}', summary: 'Revoke one of the user’s sessions', modes: all, authenticated: true, params: SessionParams, status: 204, errors: ['not_found'] },
  me: { method: 'get', path: paths.me, summary: 'The current user', modes: all, authenticated: true, status: 200, response: MeResponse, errors: [] },
  updateMe: { method: 'patch', path: paths.me, summary: 'Edit the current user', modes: all, authenticated: true, request: UpdateMeRequest, status: 200, response: MeResponse, errors: [] },
  jwks: { method: 'get', path: paths.jwks, summary: 'Public keys that verify access tokens', modes: withRefresh, authenticated: false, status: 200, response: Jwks, errors: [], storeless: true },
  cspReports: {
    method: 'post',
    path: paths.cspReports,
    summary: 'A browser reports what the page policy refused (report-uri and report-to); logged, rate limited per client',
    modes: all,
    authenticated: false,
    request: CspReportRequest,
    requestTypes: cspReportMediaTypes,
    withoutCsrfToken: true,
    status: 204,
    errors: ['rate_limited'],
    storeless: true,
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
export const endpointList: readonly Endpoint[] = Object.values(endpoints);

/** The endpoints one API process answers in this mode. */
export const endpointsOf = (mode: AuthMode): Endpoint[] => endpointList.filter((e) => e.modes.includes(mode));

const isSchemaMap = (response: Endpoint['response']): response is Partial<Record<AuthMode, z.ZodType>> =>
  response !== undefined && !('safeParse' in response);

/** The success body of an endpoint in a mode, if it has one. */
export function responseOf(endpoint: Endpoint, mode: AuthMode): z.ZodType | undefined {
  return isSchemaMap(endpoint.response) ? endpoint.response[mode] : endpoint.response;
}

/**
 * Every error code an endpoint can answer in a mode, in the order SPEC §5 checks them: the
 * request's origin, body and CSRF token, authentication, validation, the endpoint's own codes,
 * then a store that is down and the unexpected.
 */
export function errorsOf(endpoint: Endpoint, mode: AuthMode): ErrorCode[] {
  const traits: ModeTraits = modeTraits[mode];
  const unsafe = endpoint.method !== 'get';
  const codes: ErrorCode[] = [
    ...(unsafe || endpoint.cookieBearing ? (['forbidden_origin'] as const) : []),
    // Any request may carry a body, a GET too, and every body is checked before routing: not
    // JSON, too large or malformed is refused whatever the method.
    'unsupported_media_type',
    'payload_too_large',
    'invalid_json',
    ...(unsafe && traits.csrf && !endpoint.withoutCsrfToken ? (['csrf_failed'] as const) : []),
    ...(endpoint.params ? (['not_found'] as const) : []),
    ...(endpoint.authenticated ? traits.authErrors : []),
    // A proof is checked where a token is used or obtained: on logout too, whose token is optional.
    ...(traits.proof && (endpoint.issuesTokens || endpoint.cookieBearing) ? proofErrorCodes : []),
    ...(endpoint.request ? (['validation_failed'] as const) : []),
    ...endpoint.errors,
    ...(endpoint.storeless || endpoint === endpoints.health ? [] : (['service_unavailable'] as const)),
    'internal',
  ];
  return [...new Set(codes)];
}
