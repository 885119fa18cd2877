import { authModes, ErrorBody, paths, type ErrorCode } from '@authbench/contract';
import supertest, { type Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, foreignOrigin, useTestApp } from './support/test-app';

// POST /api/csp-reports: what a browser sends when the page policy refuses something. Each
// violation reaches the request log (a warning tied to the request's line), bounded and rate
// limited per client, in every mode, with no CSRF token (the browser sends it by itself).

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
};

/** Chromium's and Firefox's report-uri format (application/csp-report). */
const reportUri = {
  'csp-report': {
    'document-uri': 'http://localhost:5173/lab-sinks.html?sink=inner-html&run=secret-run-id',
    referrer: '',
    'violated-directive': 'script-src-attr',
    'effective-directive': 'script-src-attr',
    'original-policy': "default-src 'self'; script-src 'self' 'report-sample'",
    disposition: 'enforce',
    'blocked-uri': 'inline',
    'line-number': 1,
    'column-number': 12,
    'source-file': 'http://localhost:5173/assets/lab-sinks-abc.js?v=1',
    'status-code': 200,
    'script-sample': `__authbenchSinkRan('inner-html') ${'x'.repeat(200)}`,
  },
};

/** The Reporting API's batch (application/reports+json, report-to). */
const reportTo = [
  {
    type: 'csp-violation',
    age: 10,
    url: 'http://localhost:5173/lab-sinks.html?sink=foreign-script',
    user_agent: 'Mozilla/5.0',
    body: {
      documentURL: 'http://localhost:5173/lab-sinks.html?sink=foreign-script',
      effectiveDirective: 'script-src-elem',
      blockedURL: 'http://127.0.0.1:5174/sink.js?sink=foreign-script&token=abc',
      disposition: 'enforce',
      originalPolicy: "default-src 'self'",
      statusCode: 200,
    },
  },
  { type: 'deprecation', url: 'http://localhost:5173/', body: { id: 'x', message: 'not a violation' } },
  { type: 'csp-violation', url: 'http://localhost:5173/', body: { documentURL: 'http://localhost:5173/', effectiveDirective: 'require-trusted-types-for', blockedURL: 'trusted-types-sink', sample: 'Element innerHTML|<img src=x>' } },
];

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { id: string; path: string };
  res?: { status: number };
  cspViolation?: Record<string, unknown>;
}

const perMinute = 20;

describe.each(authModes)('violation reports in %s mode', (mode) => {
  // A client IP per test (X-Forwarded-For, one trusted proxy): each test has its own rate limit.
  const t = useTestApp(mode, { env: { TRUST_PROXY: '1', CSP_REPORTS_PER_MINUTE: String(perMinute) } });
  let ip = 0;
  const send = (type: string, body: string, options: { origin?: string | null; from?: string } = {}) => {
    let test = supertest(t.app.app).post(paths.cspReports).set('Content-Type', type).set('X-Forwarded-For', options.from ?? `203.0.113.${++ip}`);
    if (options.origin !== null) test = test.set('Origin', options.origin ?? allowedOrigin);
    return test.send(body);
  };
  const linesOf = (requestId: string) => t.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.reqId === requestId || line.req?.id === requestId);

  it('logs a report-uri report as a warning beside its request line, with no CSRF token, and answers 204', async () => {
    const res = await send('application/csp-report', JSON.stringify(reportUri));
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    // The browser may read this answer to its no-cors request.
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const lines = linesOf(res.headers['x-request-id'] as string);
    expect(lines.map((line) => line.msg)).toEqual(['page policy violation', 'request completed']);
    expect(lines[0]).toMatchObject({
      level: 40,
      cspViolation: {
        documentUrl: 'http://localhost:5173/lab-sinks.html',
        directive: 'script-src-attr',
        blockedUrl: 'inline',
        disposition: 'enforce',
        sourceFile: 'http://localhost:5173/assets/lab-sinks-abc.js',
        line: 1,
        column: 12,
        statusCode: 200,
        sample: `__authbenchSinkRan('inner-html') ${'x'.repeat(7)}`,
      },
    });
    expect(lines[1]).toMatchObject({ req: { path: paths.cspReports }, res: { status: 204 } });
    // Queries may hold what no log should: they are dropped, and so is the policy's text.
    expect(JSON.stringify(lines)).not.toMatch(/secret-run-id|v=1|default-src/);
  });

  it('logs every violation of a Reporting API batch, and nothing of the other report types', async () => {
    const res = await send('application/reports+json', JSON.stringify(reportTo));
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    const violations = linesOf(res.headers['x-request-id'] as string).flatMap((line) => (line.cspViolation ? [line.cspViolation] : []));
    expect(violations).toEqual([
      { documentUrl: 'http://localhost:5173/lab-sinks.html', directive: 'script-src-elem', blockedUrl: 'http://127.0.0.1:5174/sink.js', disposition: 'enforce', statusCode: 200 },
      { documentUrl: 'http://localhost:5173/', directive: 'require-trusted-types-for', blockedUrl: 'trusted-types-sink', sample: 'Element innerHTML|<img src=x>' },
    ]);
  });

  it('takes the report media types on this endpoint only', async () => {
    expect((await send('application/json', JSON.stringify(reportTo))).status).toBe(204);
    expectError(await send('text/plain', JSON.stringify(reportUri)), 415, 'unsupported_media_type');
    expectError(await send('application/x-www-form-urlencoded', 'csp-report=1'), 415, 'unsupported_media_type');
    const elsewhere = await supertest(t.app.app).post(paths.login).set('Origin', allowedOrigin).set('Content-Type', 'application/csp-report').send(JSON.stringify({ email: 'a@b.test', password: 'long enough' }));
    expectError(elsewhere, 415, 'unsupported_media_type');
  });

  it('bounds bodies at 10,240 bytes, with or without Content-Length', async () => {
    const big = JSON.stringify([{ type: 'csp-violation', body: { sample: 'x'.repeat(10_300) } }]);
    expectError(await send('application/reports+json', big), 413, 'payload_too_large');
    const chunked = supertest(t.app.app)
      .post(paths.cspReports)
      .set('Origin', allowedOrigin)
      .set('X-Forwarded-For', `203.0.113.${++ip}`)
      .set('Content-Type', 'application/csp-report')
      .set('Transfer-Encoding', 'chunked');
    chunked.write(big.slice(0, 6000));
    chunked.write(big.slice(6000));
    expectError(await chunked, 413, 'payload_too_large');
  });

  it('refuses what is not a report, and a page of a foreign origin', async () => {
    expectError(await send('application/csp-report', '{"csp-report":'), 400, 'invalid_json');
    expectError(await send('application/csp-report', '{"csp-report":{"line-number":"one"}}'), 400, 'validation_failed');
    expectError(await send('application/reports+json', '{"not":"a batch"}'), 400, 'validation_failed');
    expectError(await send('application/csp-report', JSON.stringify(reportUri), { origin: foreignOrigin }), 403, 'forbidden_origin');
    // A client outside the browser sends no Origin: it may report too.
    expect((await send('application/csp-report', JSON.stringify(reportUri), { origin: null })).status).toBe(204);
  });

  it('rate limits each client to CSP_REPORTS_PER_MINUTE reports a minute, logging nothing beyond them', async () => {
    const from = '198.51.100.7';
    for (let i = 0; i < perMinute; i++) expect((await send('application/csp-report', JSON.stringify(reportUri), { from })).status).toBe(204);
    const refused = await send('application/csp-report', JSON.stringify(reportUri), { from });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(linesOf(refused.headers['x-request-id'] as string).map((line) => line.msg)).toEqual(['request completed']);
    // Another client is not held back by it.
    expect((await send('application/csp-report', JSON.stringify(reportUri))).status).toBe(204);
  });
});
