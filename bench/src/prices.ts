/**
 * What single pieces of a request cost, measured in-process (no HTTP, no load generator): the
 * DPoP proof check and the replay check that the jwt-dpop rows pay on every request, and
 * express-session's own floor, which every session row pays whatever the store does. The table
 * shows them beside the rows, so that a row's CPU can be split into the library's or the
 * algorithm's price and what this API adds.
 * `pnpm --filter @authbench/bench exec tsx src/prices.ts` prints them alone.
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import os from 'node:os';
import { paths } from '@authbench/contract';
import session from 'express-session';
import { derSignature } from '@authbench/api/auth/dpop/der-signature';
import { createNonces } from '@authbench/api/auth/dpop/nonces';
import { createProofVerifier } from '@authbench/api/auth/dpop/proof';
import { sessionOptions } from '@authbench/api/auth/session-strategy';
import { generateSigningKeyJwk } from '@authbench/api/auth/signing-keys';
import { loadConfig } from '@authbench/api/config';
import { createMemoryProofReplayStore, type ProofReplayStore } from '@authbench/api/storage/proof-replays';
import { connectRedis } from '@authbench/api/storage/redis-client';
import { createRedisProofReplayStore } from '@authbench/api/storage/redis-proof-replays';
import { createDpopKey } from './dpop-key';
import { apiEnv, signSessionCookie } from './harness';
import { median } from './timed';

export interface Prices {
  /** µs of CPU per request for the API's proof check (proof.ts: parse, ES256 verify, claims, ath), its key cached. */
  proofCheckUs: number;
  /** µs of CPU for the ES256 verification alone, on the same proofs: what bounds the proof check. */
  es256VerifyUs: number;
  /** µs of CPU per replay check in process memory (the jti's key hashed, then claimed). */
  replayMemoryUs: number;
  /** Redis: µs from sending the SET NX to its answer, one at a time (a round trip on loopback), and this process's CPU per check. */
  replayRedis?: { wallUs: number; cpuUs: number };
  /** µs of CPU per request for express-session's middleware with session mode's options over its MemoryStore, beyond the same request without it. */
  sessionFloorUs: number;
  iterations: number;
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** µs of CPU per call over `n` calls, median of three runs after a warm-up (the JIT's and caches'). */
async function cpuPerCall(n: number, call: (i: number) => unknown): Promise<number> {
  const run = async () => {
    const started = cpuNow();
    for (let i = 0; i < n; i++) await call(i);
    return (cpuNow() - started) / n;
  };
  await run();
  return median([await run(), await run(), await run()]);
}

/** The API's proof check on proofs a browser would send to GET /api/me, and ES256 alone on the same. */
async function priceProofCheck(n: number) {
  const key = createDpopKey();
  const nonces = createNonces({ key: randomBytes(32), stepSeconds: 30, now: Date.now });
  const origin = 'http://localhost:4000';
  const accessToken = `${'a'.repeat(36)}.${'b'.repeat(300)}.${'c'.repeat(86)}`;
  const proofs = Array.from({ length: n }, () => key.proof({ htm: 'GET', htu: `${origin}${paths.me}`, nonce: nonces.current(), accessToken }));
  const verifyProof = createProofVerifier();
  const proofCheckUs = await cpuPerCall(n, (i) =>
    verifyProof([proofs[i]!], { htm: 'GET', htu: `${origin}${paths.me}`, nowMs: Date.now(), windowSeconds: 60, accessToken, acceptsNonce: nonces.accepts }),
  );
  const [header = ''] = proofs[0]!.split('.');
  const publicKey = createPublicKey({ key: (JSON.parse(Buffer.from(header, 'base64url').toString()) as { jwk: object }).jwk as never, format: 'jwk' });
  const parts = proofs.map((p) => {
    const at = p.lastIndexOf('.');
    return { input: Buffer.from(p.slice(0, at)), signature: derSignature(Buffer.from(p.slice(at + 1), 'base64url')) };
  });
  const es256VerifyUs = await cpuPerCall(n, (i) => verify('sha256', parts[i]!.input, publicKey, parts[i]!.signature));
  return { proofCheckUs, es256VerifyUs };
}

/** One replay check as key-binding.ts makes it: the proof's jkt and jti hashed into a key, claimed until the window ends. */
const claimer = (store: ProofReplayStore) => {
  const jkt = randomBytes(32).toString('base64url');
  return (i: number) => store.claim(createHash('sha256').update(`${jkt}:${i}-${Math.random()}`).digest('base64url'), Date.now() + 61_000);
};

async function priceRedisReplay(n: number, redisUrl: string, keyPrefix: string) {
  const redis = await connectRedis(redisUrl);
  try {
    const claim = claimer(createRedisProofReplayStore(redis, keyPrefix, Date.now));
    await cpuPerCall(n, claim);
    const startedWall = performance.now();
    const cpuUs = await cpuPerCall(n, claim);
    // cpuPerCall ran four times: the wall time of one run.
    return { wallUs: ((performance.now() - startedWall) * 1000) / (4 * n), cpuUs };
  } finally {
    await redis.close();
  }
}

/**
 * express-session alone: its middleware with session mode's own options (cookie name, secret,
 * resave, saveUninitialized, rolling, cookie attributes) over express-session's MemoryStore, on
 * a request whose signed cookie names a stored session of the API's shape, to the end of the
 * response, minus the same request and response without it. What is left is the library's floor:
 * the cookie's parse and unsign, the store read and touch, the session object, the change hash.
 */
async function priceSessionFloor(n: number) {
  const sessionSecret = randomBytes(32).toString('base64url');
  const config = loadConfig(apiEnv({ mode: 'session', store: 'embedded', revocationCheck: true }, os.tmpdir(), { jwk: generateSigningKeyJwk(), sessionSecret }));
  const store = new session.MemoryStore();
  const options = sessionOptions(config, [sessionSecret], store);
  const middleware = session(options);
  const at = Date.now();
  const cookie = options.cookie as session.CookieOptions & { maxAge: number };
  const cookies = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const sid = randomBytes(32).toString('base64url');
      const data = {
        cookie: { ...cookie, originalMaxAge: cookie.maxAge, expires: new Date(at + cookie.maxAge).toISOString(), maxAge: undefined },
        userId: crypto.randomUUID(),
        createdAt: at,
        lastSeenAt: at,
        absoluteExpiresAt: at + config.sessionAbsoluteSeconds * 1000,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
      };
      await new Promise<void>((resolve, reject) => store.set(sid, data as never, (err) => (err ? reject(err as Error) : resolve())));
      return `${options.name}=${signSessionCookie(sid, sessionSecret)}`;
    }),
  );
  const socket = new Socket();
  /** One GET /api/me to the end of its response, with or without express-session in front. */
  const request = (withSession: boolean) => (i: number) =>
    new Promise<void>((resolve, reject) => {
      const req = new IncomingMessage(socket);
      req.method = 'GET';
      req.url = paths.me;
      req.headers = { cookie: cookies[i % cookies.length]!, origin: 'http://localhost:5173' };
      const res = new ServerResponse(req);
      // The end of the response without a socket to write to: headers made, nothing sent.
      res.end = function end(this: ServerResponse) {
        if (!this.headersSent) this.writeHead(200, { 'content-type': 'application/json' });
        resolve();
        return this;
      } as never;
      const route = () => {
        if (withSession && !(req as unknown as { session?: { userId?: string } }).session?.userId) reject(new Error('express-session loaded no session'));
        res.end();
      };
      if (withSession) middleware(req as never, res as never, (err?: unknown) => (err ? reject(err as Error) : route()));
      else route();
    });
  const withUs = await cpuPerCall(n, request(true));
  const withoutUs = await cpuPerCall(n, request(false));
  return Math.max(0, withUs - withoutUs);
}

export async function measurePrices(options: { iterations: number; redis?: { url: string; keyPrefix: string } | undefined }): Promise<Prices> {
  const n = options.iterations;
  const { proofCheckUs, es256VerifyUs } = await priceProofCheck(n);
  const replayMemoryUs = await cpuPerCall(n, claimer(createMemoryProofReplayStore(Date.now)));
  const replayRedis = options.redis ? await priceRedisReplay(Math.min(n, 5000), options.redis.url, options.redis.keyPrefix) : undefined;
  const sessionFloorUs = await priceSessionFloor(n);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return {
    proofCheckUs: round1(proofCheckUs),
    es256VerifyUs: round1(es256VerifyUs),
    replayMemoryUs: round1(replayMemoryUs),
    ...(replayRedis && { replayRedis: { wallUs: round1(replayRedis.wallUs), cpuUs: round1(replayRedis.cpuUs) } }),
    sessionFloorUs: round1(sessionFloorUs),
    iterations: n,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL;
  const prices = await measurePrices({ iterations: 5000, redis: url ? { url, keyPrefix: `bench_prices_${process.pid}:` } : undefined });
  process.stdout.write(`${JSON.stringify(prices, null, 2)}\n`);
}
