import { authModes, endpoints, ErrorBody, statusOf } from '@authbench/contract';
import fc from 'fast-check';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, useTestApp } from './support/test-app';

const headerText = fc.stringMatching(/^[\x21-\x7e]{0,300}$/);
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
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ email: anyValue, password: anyValue, name: anyValue }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ email: fc.emailAddress(), password: oddText, name: oddText }).map((v) => JSON.stringify(v)),
);

const request = fc.record({
  body: fc.option(body, { nil: undefined }),
  contentType: fc.oneof(
    fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx'),
    headerText,
  ),
  cookie: fc.option(fc.oneof(headerText, headerText.map((v) => `sid=${v}`), headerText.map((v) => `rt=${v}; sid=s%3A${v}`)), { nil: undefined }),
  authorization: fc.option(fc.oneof(headerText, headerText.map((v) => `Bearer ${v}`), fc.constant('Bearer eyJhbGciOiJub25lIn0.e30.')), { nil: undefined }),
  csrf: fc.option(headerText, { nil: undefined }),
  origin: fc.constantFrom(undefined, allowedOrigin, 'http://evil.example', 'null'),
  id: fc.string({ unit: 'binary', maxLength: 100 }),
});

describe.each(authModes)('bad input in %s mode', (mode) => {
  const t = useTestApp(mode);

  it.each(endpoints.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s answers every malformed request with a well-formed contract response',
    async (_name, endpoint) => {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const path = endpoint.path.replace('{id}', encodeURIComponent(r.id) || 'x');
          let test = supertest(t.app.app)[endpoint.method](path);
          if (r.contentType) test = test.set('Content-Type', r.contentType);
          if (r.cookie) test = test.set('Cookie', r.cookie);
          if (r.authorization) test = test.set('Authorization', r.authorization);
          if (r.csrf) test = test.set('X-CSRF-Token', r.csrf);
          if (r.origin) test = test.set('Origin', r.origin);
          const res = await (r.body === undefined ? test : test.send(r.body));
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            const { error } = ErrorBody.parse(res.body);
            expect(statusOf[error.code]).toBe(res.status);
          } else if (endpoint.response && endpoint.modes.includes(mode)) {
            endpoint.response.parse(res.body);
          }
        }),
        { numRuns: 30 },
      );
    },
  );
});
