import { modeTraits, paths } from '@authbench/contract';
import { errorCodeIn, headerBytes, isAdmitted } from '../analysis';
import type { Experiment } from '../lab-context';

interface Measured {
  request: string;
  bytes: number;
  parts: string;
  status: number;
}

export const bytesExperiment: Experiment = {
  id: 'bytes',
  title: 'Credential bytes on the wire',
  tries:
    'A device logs in from outside the browser and keeps exactly what a browser would (the cookies the API set, the token the login handed over, the CSRF token), then sends real requests with them: a read (GET /api/me), a write (PATCH /api/me) and, where there is one, a refresh. It counts the bytes of the headers that carry the credential on an HTTP/1.1 wire.',
  appliesTo: () => true,
  async run(context) {
    const device = await context.outside('a device');
    const me = await device.send('GET', paths.me, { as: 'to learn the name' });
    const name = (me.body as { user?: { name?: unknown } } | null)?.user?.name;
    const hasRefresh = modeTraits[context.target.config.authMode].refreshToken;
    const requests: [string, string, unknown][] = [
      ['GET', paths.me, undefined],
      ['PATCH', paths.me, { name: typeof name === 'string' ? name : 'Lab' }],
      ...(hasRefresh ? ([['POST', paths.refresh, undefined]] as [string, string, unknown][]) : []),
    ];
    const measured: Measured[] = [];
    for (const [method, path, body] of requests) {
      // Exactly what is counted goes out (a proof, where there is one, is good for this one request).
      const headers = await device.credentialHeaders(method, path);
      const answer = await device.send(method, path, { headers, ...(body !== undefined && { body }), note: 'the credential headers, as a browser would send them' });
      if (!isAdmitted(answer.status)) throw new Error(`${method} ${path} with these headers answered ${answer.status} ${errorCodeIn(answer.body) ?? ''}`);
      const parts = Object.entries(headers).map(([header, value]) =>
        header === 'Cookie'
          ? `Cookie: ${value
              .split('; ')
              .map((pair) => pair.split('=')[0])
              .join(', ')} (${headerBytes(header, value)} B)`
          : `${header} (${headerBytes(header, value)} B)`,
      );
      const bytes = Object.entries(headers).reduce((sum, [header, value]) => sum + headerBytes(header, value), 0);
      measured.push({ request: `${method} ${path}`, bytes, parts: parts.join(' + '), status: answer.status });
      context.step({ actor: 'lab', what: `${method} ${path}: ${bytes} credential bytes`, note: parts.join(' + ') });
    }
    const read = measured[0]!;
    return {
      verdict: 'measured',
      summary: `Measured: ${measured.map((each) => `${each.request} carries ${each.bytes} B of credentials (${each.parts})`).join('; ')}.`,
      figure: `${read.bytes} B per read, ${measured[1]?.bytes ?? '?'} B per write`,
    };
  },
};
