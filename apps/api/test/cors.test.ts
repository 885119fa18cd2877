import { authModes, paths } from '@authbench/contract';
import fc from 'fast-check';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, useTestApp } from './support/test-app';

const otherAllowed = 'https://app.example:8443';

// What an attacker can put in Origin: the opaque `null` of sandboxed frames and file:// pages,
// the wildcard, near misses of an allowed origin (case, trailing slash, path, suffix, userinfo,
// another scheme or port), and anything else a header can hold.
const nearMisses = [
  'null',
  '*',
  'http://localhost:5173/',
  'HTTP://LOCALHOST:5173',
  'http://localhost:5173.evil.example',
  'http://localhost:51730',
  'http://localhost',
  'https://localhost:5173',
  'http://evil.example@localhost:5173',
  'http://localhost:5173/api',
  'http://localhost:5173, http://evil.example',
  'https://app.example',
  'https://app.example:8443.evil.example',
  'http://app.example:8443',
];
const anyOrigin = fc.oneof(
  fc.constantFrom(...nearMisses),
  fc.webUrl().map((url) => new URL(url).origin),
  fc.stringMatching(/^[\x21-\x7e]{1,80}$/),
);

describe.each(authModes)('CORS in %s mode', (mode) => {
  const t = useTestApp(mode, { env: { CORS_ORIGINS: `${allowedOrigin},${otherAllowed}` } });

  /** The Access-Control-Allow-Origin of a read, a preflight and a refused read, for one Origin. */
  const reflected = async (origin: string) => {
    const request = supertest(t.app.app);
    const answers = await Promise.all([
      request.get(paths.config).set('Origin', origin),
      request.get(paths.me).set('Origin', origin),
      request.options(paths.login).set('Origin', origin).set('Access-Control-Request-Method', 'POST'),
    ]);
    return answers.map((res) => ({
      origin: res.headers['access-control-allow-origin'],
      credentials: res.headers['access-control-allow-credentials'],
    }));
  };

  it('reflects exactly the listed origins, with credentials', async () => {
    for (const origin of [allowedOrigin, otherAllowed]) {
      expect(await reflected(origin)).toEqual([0, 1, 2].map(() => ({ origin, credentials: 'true' })));
    }
  });

  it('never reflects an origin outside the list, nor a wildcard', async () => {
    await fc.assert(
      fc.asyncProperty(anyOrigin, async (origin) => {
        fc.pre(origin !== allowedOrigin && origin !== otherAllowed);
        for (const answer of await reflected(origin)) expect(answer.origin).toBeUndefined();
      }),
      { numRuns: 80, examples: nearMisses.map((origin) => [origin]) },
    );
  });
});
