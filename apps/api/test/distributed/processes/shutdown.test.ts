import { request, Agent } from 'node:http';
import { authModes, loginResponses, paths, type RegisterRequest } from '@authbench/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../../support/test-app';
import { createClient } from '../../support/test-client';
import { startApiProcess, within } from '../support/api-process';
import { createClusterSetup } from '../support/cluster';
import { contractProblem, transportFailure } from '../support/contract-answer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(authModes)('SIGTERM in %s mode', (mode) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('stops accepting, finishes the request in flight, closes the stores and exits 0 within 10 s', async () => {
    const setup = await createClusterSetup();
    cleanups.push(() => setup.cleanup());
    const api = await startApiProcess({ mode, env: setup.env });
    cleanups.push(() => api.stop());

    // An idle keep-alive connection must not hold the process up.
    const keepAlive = new Agent({ keepAlive: true });
    cleanups.push(() => Promise.resolve(keepAlive.destroy()));
    await new Promise<void>((resolve, reject) => {
      request(`${api.url}${paths.health}`, { agent: keepAlive }, (res) => {
        res.resume().on('end', resolve);
      })
        .on('error', reject)
        .end();
    });

    // A registration whose body is half sent when SIGTERM arrives: it is in flight.
    const client = await createClient(api.url, mode).ready();
    const body = JSON.stringify({ email: uniqueEmail('shutdown'), password: 'correct horse battery', name: 'Last One In' } satisfies RegisterRequest);
    const inFlight = request(`${api.url}${paths.register}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        // Origin, cookies, and the mode's CSRF token or DPoP proof, as the SPA sends them.
        ...client.headersFor('post', paths.register),
      },
    });
    const answered = new Promise<{ status: number; contentType: string | undefined; body: string }>((resolve, reject) => {
      inFlight.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: text }));
      });
      inFlight.on('error', reject);
    });
    inFlight.write(body.slice(0, 20));
    await sleep(200);

    const signalled = performance.now();
    api.signal('SIGTERM');
    await sleep(300);
    // Accepting no more: a new connection is refused.
    const late = await fetch(`${api.url}${paths.health}`).then(
      (res) => `answered ${res.status}`,
      (err: unknown) => transportFailure(err) ?? String(err),
    );
    expect(late).toBe('ECONNREFUSED');
    expect(api.lines.join('\n')).not.toContain('"msg":"stopped"');

    inFlight.end(body.slice(20));
    const answer = await within(5000, 'the answer to the request in flight', answered);
    expect(answer.status, answer.body).toBe(201);
    expect(contractProblem(answer, loginResponses[mode])).toBeUndefined();

    const code = await within(10_000, 'the exit after SIGTERM', api.exited);
    const tookMs = performance.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(api.lines.join('\n')).toContain('"msg":"stopped"');
    console.log(`[shutdown ${mode}] exited ${code} ${Math.round(tookMs)} ms after SIGTERM`);
  });
});
