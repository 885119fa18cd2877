import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { paths } from '@authbench/contract';
import jwt from 'jsonwebtoken';
import { generateSigningKeyJwk } from '@authbench/api/auth/signing-keys';
import { openDatabase } from '@authbench/api/storage/database';
import { benchOrigin, me, signIn, type Credential } from './client';
import { combine, drive, type LoadResult, type Slice } from './load';
import type { RowName, ServerDef } from './rows';
import { hasTaskset, startServer, type ServerProcess } from './server-process';
import type { StoreUrls } from './stores';

const env = process.env;

export const storeUrls: StoreUrls = {
  redis: env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};
const portOf = (url: string, fallback: number) => Number(new URL(url).port || fallback);

const password = 'correct horse battery staple';

/** One server process of the bench and what the bench holds for it. */
export interface ServerRun {
  def: ServerDef;
  server: ServerProcess;
  /** A second process on the same stores (distributed rows): logout goes through it. */
  peer?: ServerProcess;
  user: { email: string; password: string };
  /** One login per connection. */
  credentials: Credential[];
  signingJwk: ReturnType<typeof generateSigningKeyJwk>;
  runs: Map<RowName, LoadResult[]>;
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

function apiEnv(def: ServerDef, dataDir: string, jwk: object): Record<string, string> {
  return {
    NODE_ENV: 'production',
    AUTH_MODE: def.mode,
    DATA_DIR: dataDir,
    CORS_ORIGINS: benchOrigin,
    // Plain HTTP on loopback: Secure cookies would never come back.
    COOKIE_SECURE: 'off',
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    JWT_PRIVATE_KEYS: JSON.stringify([jwk]),
    JWT_REVOCATION_CHECK: def.revocationCheck ? 'on' : 'off',
    LOG_LEVEL: 'info',
    ...(def.store === 'redis' && { REDIS_URL: storeUrls.redis, DATABASE_URL: storeUrls.postgres }),
  };
}

/** Starts a row's server (and, for the distributed rows, a peer on the same stores). */
export async function launch(
  def: ServerDef,
  options: { root: string; template?: string | undefined; namespace: string; peer: boolean; cpuProfileDir?: string | undefined },
): Promise<ServerRun> {
  const dataDir = path.join(options.root, def.name);
  if (options.template && def.store === 'embedded') await cp(options.template, dataDir, { recursive: true });
  else await mkdir(dataDir, { recursive: true });
  const jwk = generateSigningKeyJwk();
  const spec = {
    label: def.name,
    env: apiEnv(def, dataDir, jwk),
    ...(def.store === 'redis' && { namespace: options.namespace }),
    storePorts: { redis: portOf(storeUrls.redis, 6379), postgres: portOf(storeUrls.postgres, 5432) },
  };
  const server = await startServer(spec, { cpuProfileDir: options.cpuProfileDir });
  const run: ServerRun = {
    def,
    server,
    user: { email: `bench-${def.name}-${options.namespace}@example.test`, password },
    credentials: [],
    signingJwk: jwk,
    runs: new Map(),
  };
  if (options.peer && def.store === 'redis') {
    try {
      run.peer = await startServer({ ...spec, label: `${def.name}-peer` });
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  return run;
}

export const headersOf = (credential: Credential | undefined): Record<string, string> => ({
  origin: benchOrigin,
  ...(credential && { [credential.header.name]: credential.header.value }),
});

export const payloadOf = (credential: Credential) => {
  const payload = credential.accessToken?.split('.')[1];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string; sid: string; exp: number }) : undefined;
};

/** Tokens the API would issue for this login, each new: every one costs the process a full verification. */
function mintColdTokens(run: ServerRun, count: number): string[] {
  const claims = payloadOf(run.credentials[0]!);
  if (!claims) throw new Error('no access token to copy claims from');
  const key = createPrivateKey({ key: run.signingJwk, format: 'jwk' });
  const iat = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, () =>
    jwt.sign({ sid: claims.sid, iat, exp: iat + 300 }, key, {
      algorithm: 'ES256',
      keyid: String(run.signingJwk.kid),
      issuer: 'authbench',
      audience: 'authbench-web',
      subject: claims.sub,
      jwtid: randomUUID(),
    }),
  );
}

export interface ColdTokens {
  /** The next token, in a cycle longer than the verified-token cache: least recently used, it is never cached. */
  next(): string;
  /** Mints the pool again once it has aged (the tokens live 5 minutes, as the API's do). */
  freshen(): void;
}

export function createColdTokens(run: ServerRun, cacheSize: number): ColdTokens {
  const size = cacheSize + 2000;
  let tokens = mintColdTokens(run, size);
  let mintedAt = Date.now();
  let cursor = 0;
  return {
    next: () => tokens[cursor++ % size]!,
    freshen() {
      if (Date.now() - mintedAt < 120_000) return;
      tokens = mintColdTokens(run, size);
      mintedAt = Date.now();
    },
  };
}

/** Registers the row's user, logs in once per connection, and checks the baseline answers as the API does. */
export async function setUpRun(run: ServerRun, connections: number): Promise<void> {
  const { api, baseline } = run.server;
  const { mode } = run.def;
  const first = await signIn(api, mode, 'register', { ...run.user, name: 'Bench User' });
  run.credentials = [first];
  while (run.credentials.length < connections) run.credentials.push(await signIn(api, mode, 'login', run.user));
  await run.server.setBaselineUser(first.userId);
  // The baseline must answer what the API answers, with the same headers, or the ratio means nothing.
  const [real, base] = await Promise.all([me(api, first), me(baseline, first)]);
  if (real.status !== 200 || base.status !== 200 || real.body !== base.body || real.headerNames.join() !== base.headerNames.join()) {
    throw new Error(
      `the baseline drifted from the API's GET ${paths.me}: API ${real.status} [${real.headerNames.join(', ')}] ${real.body.slice(0, 120)}; ` +
        `baseline ${base.status} [${base.headerNames.join(', ')}] ${base.body.slice(0, 120)}`,
    );
  }
}

export interface Measured {
  row: RowName;
  coldTokens?: ColdTokens | undefined;
}

/**
 * Measures several rows of one process (the baseline and the rows) for `seconds` each, in
 * `slices` turns that take the rows in alternating order (A B, B A, ...): whatever else the
 * machine does meanwhile falls on all of them alike. Each connection carries its own login.
 */
export async function measureInterleaved(
  run: ServerRun,
  items: Measured[],
  options: { seconds: number; slices: number; connections: number },
): Promise<Map<RowName, LoadResult>> {
  const slices = new Map<RowName, Slice[]>(items.map((item) => [item.row, []]));
  const creds = run.credentials;
  for (let turn = 0; turn < options.slices; turn++) {
    const order = turn % 2 === 0 ? items : [...items].reverse();
    for (const { row, coldTokens: cold } of order) {
      cold?.freshen();
      const slice = await drive({
        url: `${row === 'baseline' ? run.server.baseline : run.server.api}${paths.me}`,
        server: run.server,
        durationSeconds: options.seconds / options.slices,
        connections: options.connections,
        pinned: hasTaskset,
        headersOf: (i) => headersOf(creds[i % creds.length]),
        ...(cold && { perRequest: () => ({ authorization: `Bearer ${cold.next()}` }) }),
      });
      if (slice.non2xx > 0 || slice.errors > 0 || slice.latencies.length === 0) {
        throw new Error(`${row} on ${run.def.name}: ${slice.non2xx} non-2xx responses and ${slice.errors} errors, ${slice.latencies.length} answered`);
      }
      slices.get(row)!.push(slice);
    }
  }
  return new Map([...slices].map(([row, list]) => [row, combine(list)]));
}
