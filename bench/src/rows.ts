import { fileURLToPath } from 'node:url';
import type { AuthMode } from '@authbench/contract';

/** The bare route and the peers: small servers written as their READMEs and the usual articles show. */
export type PeerName = 'bare-express' | 'express-session-redis' | 'jsonwebtoken-hs256' | 'fast-jwt-es256' | 'express-session-redis-stack' | 'fast-jwt-es256-stack';
/** Authbench server processes: one API configuration each. */
export type ServerName =
  | 'session-embedded'
  | 'session-redis'
  | 'jwt-embedded'
  | 'jwt-redis'
  | 'jwt-check-off'
  | 'jwt-cookie-embedded'
  | 'jwt-cookie-redis'
  | 'jwt-dpop-embedded'
  | 'jwt-dpop-redis';
/** Further rows measured in an Authbench server's process. */
export type ExtraRowName = 'jwt-embedded-cold';
export type RowName = PeerName | ServerName | ExtraRowName;

export interface PeerDef {
  name: PeerName;
  /** The server file in src/peers/. */
  file: string;
  /** Run with Authbench's production stack in front (peers/production-stack.ts): the like-for-like peers. */
  stack?: boolean;
  needsRedis: boolean;
  /** Has a login (POST /api/login) whose credential GET /api/me needs; the bare route has none. */
  login: boolean;
  description: string;
}

const stackText =
  "Authbench's production stack: its pino logger and request log (one line per request, to stdout, which the bench drains), `helmet()` and `cors()` on the exact allowlist with credentials";

const peerFile = (name: string) => fileURLToPath(new URL(`./peers/${name}.ts`, import.meta.url));

/** The limit every ratio is taken against. */
export const bare: PeerName = 'bare-express';

export const peerDefs: PeerDef[] = [
  {
    name: 'bare-express',
    file: peerFile('bare-express'),
    needsRedis: false,
    login: false,
    description: 'the limit: a bare Express 5 route, `res.json` of a constant (the same body), no middleware',
  },
  {
    name: 'express-session-redis',
    file: peerFile('express-session-redis'),
    login: true,
    needsRedis: true,
    description:
      "naive session peer: express-session 1.19 + connect-redis 9 as their READMEs show (`secret: 'keyboard cat'`, `resave: false`, `saveUninitialized: false`), the user kept in the session; no logging, helmet or CORS",
  },
  {
    name: 'jsonwebtoken-hs256',
    file: peerFile('jsonwebtoken-hs256'),
    login: true,
    needsRedis: false,
    description: "naive JWT peer: jsonwebtoken 9, `jwt.verify(token, 'secret')` (HS256) in a Bearer middleware, user by `sub` from a Map; no logging, helmet, CORS or revocation",
  },
  {
    name: 'fast-jwt-es256',
    file: peerFile('fast-jwt-es256'),
    login: true,
    needsRedis: false,
    description: 'best JWT peer: fast-jwt 6, ES256, `createVerifier({ key, cache: true })` in a Bearer middleware, user by `sub` from a Map; no logging, helmet, CORS or revocation',
  },
  {
    name: 'express-session-redis-stack',
    file: peerFile('express-session-redis'),
    stack: true,
    login: true,
    needsRedis: true,
    description: `like-for-like session peer: express-session-redis behind ${stackText}`,
  },
  {
    name: 'fast-jwt-es256-stack',
    file: peerFile('fast-jwt-es256'),
    stack: true,
    login: true,
    needsRedis: false,
    description: `like-for-like JWT peer: fast-jwt-es256 behind ${stackText}`,
  },
];

/** One Authbench server process of the bench: an API configuration, run as users deploy it. */
export interface ServerDef {
  name: ServerName;
  mode: AuthMode;
  store: 'embedded' | 'redis';
  revocationCheck: boolean;
  description: string;
  /** Issue 20's target for the ratio to the bare route (req/s, median of the rounds); none where the issue sets none. */
  target?: number;
  /** The peer a user would otherwise pick, as its README shows it: every row must be ahead of it (ratio to it > 1). */
  naivePeer: PeerName;
  /** The same library behind the production stack this API runs (logging, helmet, CORS): every row must be ahead of it too. */
  likePeer: PeerName;
  /** Further rows measured in the same process. */
  extraRows?: { name: ExtraRowName; description: string }[];
}

export const serverDefs: ServerDef[] = [
  {
    name: 'session-embedded',
    mode: 'session',
    store: 'embedded',
    revocationCheck: true,
    description: 'session mode, sessions and users in the embedded database (PGlite)',
    target: 0.55,
    naivePeer: 'express-session-redis',
    likePeer: 'express-session-redis-stack',
  },
  {
    name: 'session-redis',
    mode: 'session',
    store: 'redis',
    revocationCheck: true,
    description: 'session mode, sessions in Redis (REDIS_URL), users in PostgreSQL (DATABASE_URL)',
    target: 0.5,
    naivePeer: 'express-session-redis',
    likePeer: 'express-session-redis-stack',
  },
  {
    name: 'jwt-embedded',
    mode: 'jwt',
    store: 'embedded',
    revocationCheck: true,
    description: 'jwt mode (ES256 Bearer), revocation check on (in-process list), users in PGlite',
    target: 0.7,
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
    extraRows: [
      {
        name: 'jwt-embedded-cold',
        description: 'as jwt-embedded, but every request carries a token this process has not verified yet (a cache miss: ES256 verified on every request)',
      },
    ],
  },
  {
    name: 'jwt-redis',
    mode: 'jwt',
    store: 'redis',
    revocationCheck: true,
    description: 'jwt mode (ES256 Bearer), revocation check on (Redis), users in PostgreSQL',
    target: 0.7,
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
  },
  {
    name: 'jwt-check-off',
    mode: 'jwt',
    store: 'embedded',
    revocationCheck: false,
    description: 'jwt mode (ES256 Bearer), JWT_REVOCATION_CHECK=off, users in PGlite',
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
  },
  {
    name: 'jwt-cookie-embedded',
    mode: 'jwt-cookie',
    store: 'embedded',
    revocationCheck: true,
    description: 'jwt-cookie mode (ES256 token in the HttpOnly `at` cookie), revocation check on (in-process list), users in PGlite',
    target: 0.7,
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
  },
  {
    name: 'jwt-cookie-redis',
    mode: 'jwt-cookie',
    store: 'redis',
    revocationCheck: true,
    description: 'jwt-cookie mode (ES256 token in the HttpOnly `at` cookie), revocation check on (Redis), users in PostgreSQL',
    target: 0.7,
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
  },
  {
    name: 'jwt-dpop-embedded',
    mode: 'jwt-dpop',
    store: 'embedded',
    revocationCheck: true,
    description:
      'jwt-dpop mode (RFC 9449: `Authorization: DPoP` and a fresh ES256 proof on every request, server nonces on), revocation check on; proof jtis and the revocation list in process memory, users in PGlite',
    target: 0.7,
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
  },
  {
    name: 'jwt-dpop-redis',
    mode: 'jwt-dpop',
    store: 'redis',
    revocationCheck: true,
    description: 'jwt-dpop mode as jwt-dpop-embedded, each proof jti claimed in Redis (SET NX), revocation check on (Redis), users in PostgreSQL',
    target: 0.7,
    naivePeer: 'jsonwebtoken-hs256',
    likePeer: 'fast-jwt-es256-stack',
  },
];

/** The best peer of a mode, shown beside the naive one. */
export const bestPeerOf = (mode: AuthMode): PeerName | undefined => (mode === 'session' ? undefined : 'fast-jwt-es256');

/** The row names of the results, in the table's order. */
export const rowOrder: RowName[] = [
  'bare-express',
  'express-session-redis',
  'jsonwebtoken-hs256',
  'fast-jwt-es256',
  'express-session-redis-stack',
  'fast-jwt-es256-stack',
  'session-embedded',
  'session-redis',
  'jwt-embedded',
  'jwt-redis',
  'jwt-check-off',
  'jwt-embedded-cold',
  'jwt-cookie-embedded',
  'jwt-cookie-redis',
  'jwt-dpop-embedded',
  'jwt-dpop-redis',
];

/** The server that measures a row (itself, or the one whose extra row it is). */
export const serverOfRow = (row: RowName): ServerDef | undefined => serverDefs.find((def) => def.name === row || def.extraRows?.some((e) => e.name === row));

/**
 * What BENCH_ROWS selects: the named rows, plus what their ratios need (the bare route, their
 * naive and like-for-like peers). Undefined: everything.
 */
export function selectRows(only: string[] | undefined): { peers: PeerDef[]; servers: ServerDef[]; rows: Set<RowName> } {
  const known = new Set<string>(rowOrder);
  const unknown = only?.filter((name) => !known.has(name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ROWS: unknown row ${unknown.join(', ')} (rows: ${rowOrder.join(', ')})`);
  const rows = new Set<RowName>(only ? (only as RowName[]) : rowOrder);
  const servers = serverDefs.filter((def) => rows.has(def.name) || def.extraRows?.some((e) => rows.has(e.name)));
  const peerNames = new Set<PeerName>([bare, ...servers.flatMap((def) => [def.naivePeer, def.likePeer])]);
  for (const row of rows) if (peerDefs.some((p) => p.name === row)) peerNames.add(row as PeerName);
  if (!only) for (const p of peerDefs) peerNames.add(p.name);
  for (const def of servers) {
    rows.add(def.name);
    const best = bestPeerOf(def.mode);
    if (best && !only) peerNames.add(best);
  }
  for (const name of peerNames) rows.add(name);
  return { peers: peerDefs.filter((p) => peerNames.has(p.name)), servers, rows };
}
