import { execFileSync } from 'node:child_process';
import { createHmac, createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { paths } from '@authbench/contract';
import jwt from 'jsonwebtoken';
import { generateSigningKeyJwk } from '@authbench/api/auth/signing-keys';
import { openDatabase } from '@authbench/api/storage/database';
import { me, meHeaders, peerSignIn, present, signIn, type Credential } from './client';
import { combine, drive, type LoadResult, type RequestPool, type Slice } from './load';
import type { PeerUser, StorePorts } from './protocol';
import type { PeerDef, ServerDef } from './rows';
import { hasTaskset, startPeer, startServer, type ServerProcess } from './server-process';
import type { StoreUrls } from './stores';

const env = process.env;

export const storeUrls: StoreUrls = {
  redis: env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};
const portOf = (url: string, fallback: number) => Number(new URL(url).port || fallback);
export const storePorts: StorePorts = { redis: portOf(storeUrls.redis, 6379), postgres: portOf(storeUrls.postgres, 5432) };

export const benchPassword = 'correct horse battery staple';
export const jwtClaims = { issuer: 'authbench', audience: 'authbench-web' };

/** One Authbench server process of the bench and what the bench holds for it. */
export interface ServerRun {
  def: ServerDef;
  server: ServerProcess;
  /** A second process on the same stores (distributed rows): logout goes through it. */
  twin?: ServerProcess;
  /** The user whose logins the load carries (one per connection). */
  user: { email: string; password: string };
  /** Another user, for the login, refresh and flood measurements (which end old logins: at most 100 per user). */
  loginUser: { email: string; password: string };
  credentials: Credential[];
  signingJwk: ReturnType<typeof generateSigningKeyJwk>;
  sessionSecret: string;
}

/** A peer server and the logins the load carries on it. */
export interface PeerRun {
  def: PeerDef;
  server: ServerProcess;
  headers: Record<string, string>[];
}

/** Moves this process (the load generator) off core 0, which the servers get. */
export function pinLoadGenerator(): boolean {
  const cores = os.cpus().length;
  if (!hasTaskset || cores < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', `1-${cores - 1}`, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** initdb takes seconds: one database is created and copied for each embedded process, as the tests do. */
export async function prepareTemplate(root: string): Promise<string> {
  const dir = path.join(root, 'template');
  const db = await openDatabase({ dataDir: dir });
  await db.destroy();
  return dir;
}

export function apiEnv(def: Pick<ServerDef, 'mode' | 'store' | 'revocationCheck'>, dataDir: string, secrets: { jwk: object; sessionSecret: string }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    AUTH_MODE: def.mode,
    DATA_DIR: dataDir,
    CORS_ORIGINS: 'http://localhost:5173',
    // Plain HTTP on loopback: Secure cookies would never come back.
    COOKIE_SECURE: 'off',
    SESSION_SECRET: secrets.sessionSecret,
    JWT_PRIVATE_KEYS: JSON.stringify([secrets.jwk]),
    JWT_REVOCATION_CHECK: def.revocationCheck ? 'on' : 'off',
    // As deployed: one line per request at info, into a pipe the bench drains (not `silent`).
    LOG_LEVEL: 'info',
    ...(def.store === 'redis' && { REDIS_URL: storeUrls.redis, DATABASE_URL: storeUrls.postgres }),
  };
}

/** The Postgres schema and Redis key prefix of one row: the bench's namespace and the row's name. */
export const rowNamespace = (namespace: string, row: string) => `${namespace}_${row.replaceAll('-', '_')}`;

/** Starts a row's server (and, for the distributed rows, a twin on the same stores). */
export async function launch(
  def: ServerDef,
  options: { root: string; template?: string | undefined; namespace: string; twin: boolean; cpuProfileDir?: string | undefined },
): Promise<ServerRun> {
  const dataDir = path.join(options.root, def.name);
  if (options.template && def.store === 'embedded') await cp(options.template, dataDir, { recursive: true });
  else await mkdir(dataDir, { recursive: true });
  const jwk = generateSigningKeyJwk();
  const sessionSecret = randomBytes(32).toString('base64url');
  const spec = {
    label: def.name,
    env: apiEnv(def, dataDir, { jwk, sessionSecret }),
    // A namespace per row: the processes on one namespace must share their secrets (the API checks).
    ...(def.store === 'redis' && { namespace: rowNamespace(options.namespace, def.name) }),
    storePorts,
  };
  const server = await startServer(spec, { cpuProfileDir: options.cpuProfileDir });
  const tag = `${def.name}-${options.namespace}`.replaceAll('_', '-');
  const run: ServerRun = {
    def,
    server,
    user: { email: `bench-${tag}@example.test`, password: benchPassword },
    loginUser: { email: `logins-${tag}@example.test`, password: benchPassword },
    credentials: [],
    signingJwk: jwk,
    sessionSecret,
  };
  if (options.twin && def.store === 'redis') {
    try {
      run.twin = await startServer({ ...spec, label: `${def.name}-twin` });
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  return run;
}

/** A user in the contract's shape, for the peers: the same body size as the API's answer. */
export function peerUser(namespace: string): PeerUser {
  return { id: randomUUID(), email: `bench-peer-${namespace.replaceAll('_', '-')}@example.test`, name: 'Bench User', createdAt: new Date().toISOString() };
}

export async function launchPeer(def: PeerDef, options: { namespace: string; user: PeerUser; cpuProfileDir?: string | undefined }): Promise<PeerRun> {
  const server = await startPeer(
    def.file,
    { label: def.name, user: options.user, namespace: options.namespace, storePorts, ...(def.needsRedis && { redisUrl: storeUrls.redis }), ...(def.stack && { stack: true }) },
    { cpuProfileDir: options.cpuProfileDir },
  );
  return { def, server, headers: [] };
}

/** Logs in once per connection on a peer, and checks that it answers the body the API answers. */
export async function setUpPeer(run: PeerRun, user: PeerUser, connections: number): Promise<void> {
  run.headers = [];
  for (let i = 0; i < connections; i++) run.headers.push(run.def.login ? await peerSignIn(run.server.api, user.email) : {});
  const res = await me(run.server.api, run.headers[0]!);
  if (res.status !== 200 || res.body !== JSON.stringify({ user })) {
    throw new Error(`${run.def.name}: GET /api/me answered ${res.status} ${res.body.slice(0, 160)}, not the user`);
  }
}

/** An access token as the API issues it, signed with the row's key: a login the process never saw. */
export function mintAccessToken(jwk: ReturnType<typeof generateSigningKeyJwk>, claims: { sub: string; sid: string }, ttlSeconds = 300): string {
  const iat = Math.floor(Date.now() / 1000);
  return jwt.sign({ sid: claims.sid, iat, exp: iat + ttlSeconds }, createPrivateKey({ key: jwk, format: 'jwk' }), {
    algorithm: 'ES256',
    keyid: String(jwk.kid),
    ...jwtClaims,
    subject: claims.sub,
    jwtid: randomUUID(),
  });
}

/** A session cookie as express-session signs it (cookie-signature: HMAC-SHA256, base64 without padding). */
export function signSessionCookie(sid: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sid}.${signature}`);
}

export const payloadOf = (credential: Credential) => {
  const payload = credential.accessToken?.split('.')[1];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string; sid: string; exp: number }) : undefined;
};

/**
 * Tokens the API would issue for this login, each new, in a cycle longer than the process's
 * verified-token cache: least recently used, none is ever cached, so every request costs a
 * full ES256 verification.
 */
export function createColdTokens(run: ServerRun, cacheSize: number): RequestPool {
  const claims = payloadOf(run.credentials[0]!);
  if (!claims) throw new Error('no access token to copy claims from');
  const size = cacheSize + 2000;
  const mint = () => Array.from({ length: size }, () => present(run.def.mode, { accessToken: mintAccessToken(run.signingJwk, claims) }));
  let pool = mint();
  let mintedAt = Date.now();
  let cursor = 0;
  return {
    next: () => pool[cursor++ % size]!,
    // Minted again once aged: the tokens live 5 minutes, as the API's do.
    freshen() {
      if (Date.now() - mintedAt < 120_000) return;
      pool = mint();
      mintedAt = Date.now();
    },
  };
}

/**
 * Registers the row's users, logs in once per connection, and checks the baseline answers as
 * the API does (same body, same header names), or the ratio to it would mean nothing.
 */
export async function setUpRun(run: ServerRun, connections: number): Promise<void> {
  const { api, baseline } = run.server;
  const { mode } = run.def;
  const first = await signIn(api, mode, 'register', { ...run.user, name: 'Bench User' });
  await signIn(api, mode, 'register', { ...run.loginUser, name: 'Bench Logins' });
  run.credentials = [first];
  while (run.credentials.length < connections) run.credentials.push(await signIn(api, mode, 'login', run.user));
  const headers = meHeaders(first);
  const real = await me(api, headers);
  if (real.status !== 200) throw new Error(`GET ${paths.me} answered ${real.status}: ${real.body.slice(0, 200)}`);
  const { user: _user, ...rest } = JSON.parse(real.body) as Record<string, unknown>;
  await run.server.setBaselineAnswer(first.userId, rest);
  const base = await me(baseline!, headers);
  if (base.status !== 200 || real.body !== base.body || real.headerNames.join() !== base.headerNames.join()) {
    throw new Error(
      `the baseline drifted from the API's GET ${paths.me}: API ${real.status} [${real.headerNames.join(', ')}] ${real.body.slice(0, 120)}; ` +
        `baseline ${base.status} [${base.headerNames.join(', ')}] ${base.body.slice(0, 120)}`,
    );
  }
}

/** One thing to drive with load: a URL of a server child, and what each connection sends. */
export interface LoadItem {
  /** Where its results are kept. */
  key: string;
  server: ServerProcess;
  url: string;
  headersOf: (connection: number) => Record<string, string>;
  perRequest?: ((connection: number) => Record<string, string>) | undefined;
  /** Runs before each of its slices of `seconds` (a pool of tokens or proofs freshens itself). */
  before?: ((seconds: number) => void | Promise<void>) | undefined;
}

export const itemOfServer = (run: ServerRun, key: string, target: 'api' | 'baseline', pool?: RequestPool): LoadItem => ({
  key,
  server: run.server,
  url: `${target === 'api' ? run.server.api : run.server.baseline!}${paths.me}`,
  headersOf: (i) => meHeaders(run.credentials[i % run.credentials.length]!),
  perRequest: pool && ((i) => pool.next(i)),
  before: pool && ((seconds) => pool.freshen(seconds)),
});

export const itemOfPeer = (run: PeerRun, key: string = run.def.name): LoadItem => ({
  key,
  server: run.server,
  url: `${run.server.api}${paths.me}`,
  headersOf: (i) => run.headers[i % run.headers.length]!,
});

/**
 * Measures a group of items (the bare route beside a server's rows) for `seconds` each, in
 * `slices` turns that take them in alternating order (A B C, C B A, ...): whatever else the
 * machine does meanwhile falls on all of them alike. Fails on any non-2xx answer or error.
 */
export async function measureGroup(items: LoadItem[], options: { seconds: number; slices: number; connections: number }): Promise<Map<string, LoadResult>> {
  const slices = new Map<string, Slice[]>(items.map((item) => [item.key, []]));
  for (let turn = 0; turn < options.slices; turn++) {
    const order = turn % 2 === 0 ? items : [...items].reverse();
    for (const item of order) {
      await item.before?.(options.seconds / options.slices);
      const slice = await drive({
        url: item.url,
        server: item.server,
        durationSeconds: options.seconds / options.slices,
        connections: options.connections,
        pinned: hasTaskset,
        headersOf: item.headersOf,
        ...(item.perRequest && { perRequest: item.perRequest }),
      });
      if (slice.non2xx > 0 || slice.errors > 0 || slice.latencies.length === 0) {
        throw new Error(`${item.key}: ${slice.non2xx} non-2xx responses and ${slice.errors} errors, ${slice.latencies.length} answered`);
      }
      slices.get(item.key)!.push(slice);
    }
  }
  return new Map([...slices].map(([key, list]) => [key, combine(list)]));
}
