import { authModes, endpointList, ErrorBody, errorsOf, paths, responseOf, statusAt, type Endpoint } from '@authbench/contract';
import fc from 'fast-check';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { maxStoredUserAgent } from '../src/auth/session-strategy';
import { allowedOrigin, useTestApp } from './support/test-app';

/** Text a client can put in a header value: visible ASCII, spaces and tabs, and latin-1's high bytes (obs-text). */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c)), maxLength });
/** A path segment as raw %-escaped bytes: NUL, invalid UTF-8 (%C0%AF, %FF), encoded lone surrogates (%ED%A0%80), anything. */
const rawSegment = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')),
  fc.constantFrom('%00', '%C0%AF', '%FF', '%ED%A0%80', '%E0%A4%A', '%', '..', '.', 'x'.repeat(2000), '%2F', 'a;b', ''),
  fc.string({ maxLength: 60 }).map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '?'))),
);
const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom('\u0000', '\uD800', 'a\uDFFFb', '\u202E', '🦄'.repeat(100), ' '.repeat(300), 'x'.repeat(20_000)),
);
const anyValue = fc.oneof(oddText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));

/** Bodies a client can send: raw text, any JSON, or the right keys holding the wrong things. */
const body = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12_000 }),
  fc.json({ maxDepth: 3 }),
  fc.record({ email: anyValue, password: anyValue, name: anyValue }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ email: fc.emailAddress(), password: oddText, name: oddText }).map((v) => JSON.stringify(v)),
);

const cookieNames = ['sid', 'rt', 'at', 'csrf', '__Host-sid', '__Secure-rt', '__Host-at', '__Host-csrf', 'other'];
const cookie = fc
  .array(fc.tuple(fc.constantFrom(...cookieNames), fc.oneof(headerText(200).map((v) => v.replace(/[;,]/g, '')), fc.constantFrom('s%3Aabc.def', '%00', '%C0%AF', 'eyJhbGciOiJub25lIn0.e30.'))), { maxLength: 4 })
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; '));

/** Every header the API reads, each absent, well-formed or hostile. */
const headers = fc.record(
  {
    'Content-Type': fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'), headerText(100)),
    Cookie: cookie,
    Authorization: fc.oneof(
      headerText(300),
      headerText(300).map((v) => `Bearer ${v}`),
      headerText(300).map((v) => `DPoP ${v}`),
      fc.constant('Bearer eyJhbGciOiJub25lIn0.e30.'),
    ),
    // jwt-dpop mode's proof: text, JWT-shaped junk, and header and claim sets of the wrong shapes.
    DPoP: fc.oneof(
      headerText(500),
      fc.tuple(fc.json({ maxDepth: 2 }), fc.json({ maxDepth: 2 }), fc.base64String({ maxLength: 100 })).map(
        ([header, claims, signature]) => `${Buffer.from(header).toString('base64url')}.${Buffer.from(claims).toString('base64url')}.${signature.replace(/=+$/, '')}`,
      ),
      fc.constantFrom('a.b.c', '..', 'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.', 'x'.repeat(5000)),
    ),
    'X-CSRF-Token': headerText(300),
    Origin: fc.oneof(fc.constantFrom(allowedOrigin, 'http://evil.example', 'null', `${allowedOrigin}/`), headerText(100)),
    'User-Agent': fc.oneof(headerText(300), fc.constant('u'.repeat(8000))),
    'X-Request-Id': headerText(100),
    'X-Forwarded-For': fc.oneof(headerText(100), fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', '999.1.1.1')),
    'X-Forwarded-Proto': fc.constantFrom('https', 'http', 'gopher'),
  },
  { requiredKeys: [] },
);

const request = fc.record({ body: fc.option(body, { nil: undefined }), headers, segment: rawSegment });

describe.each(authModes)('bad input in %s mode', (mode) => {
  const t = useTestApp(mode, { env: { TRUST_PROXY: '1' } });

  it.each(endpointList.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as [string, Endpoint]))(
    '%s answers every malformed path, header and body with a well-formed contract response, never a 5xx',
    async (_name, endpoint) => {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const path = endpoint.path.replace('{id}', r.segment || 'x');
          let test = supertest(t.app.app)[endpoint.method](path);
          for (const [name, value] of Object.entries(r.headers)) test = test.set(name, value);
          const res = await (r.body === undefined ? test : test.send(r.body));
          expect(res.status, `${res.status} ${JSON.stringify(res.body)}`).toBeLessThan(500);
          if (res.status >= 400) {
            const { error } = ErrorBody.parse(res.body);
            expect(statusAt(error.code, endpoint)).toBe(res.status);
            // The OpenAPI document lists these codes: an answer outside them is one it does not tell.
            if (endpoint.modes.includes(mode)) expect(errorsOf(endpoint, mode)).toContain(error.code);
          } else if (endpoint.modes.includes(mode)) {
            responseOf(endpoint, mode)?.parse(res.body);
          }
        }),
        { numRuns: 40 },
      );
    },
  );

  it('answers a session id that cannot exist with 404, before any store sees it', async () => {
    const { client } = await t.newUser();
    for (const id of ['%00', '%C0%AF', '%FF', '%ED%A0%80', 'x'.repeat(2000), 'a'.repeat(21), `${'a'.repeat(21)}%00`, '..%2F..%2Fetc']) {
      const res = await client.request('delete', `${paths.sessions}/${id}`);
      expect(res.status, id).toBe(404);
      expect(ErrorBody.parse(res.body).error.code).toBe('not_found');
    }
    expect((await client.me()).status).toBe(200);
  });

  it('keeps at most the first 512 characters of a huge user agent, and logs in all the same', async () => {
    const user = await t.newUser();
    const client = t.client({ userAgent: `Agent/${'u'.repeat(8000)}` });
    expect((await client.login({ email: user.email, password: user.password })).status).toBe(200);
    const { sessions } = (await client.get(paths.sessions)).body as { sessions: { userAgent: string; current: boolean }[] };
    const current = sessions.find((s) => s.current)!;
    expect(current.userAgent).toHaveLength(maxStoredUserAgent);
    expect(current.userAgent.startsWith('Agent/uuu')).toBe(true);
  });
});
