import { paths } from '@authbench/contract';
import { decodeJwt } from '../../../lib/decode-jwt';
import type { LabOutcome } from '../../../lib/lab-results';
import { errorCodeIn, expOf, isAdmitted, tokenOf, type Finding } from '../analysis';
import type { ReplayAnswer } from '../attacker';
import type { LabContext } from '../lab-context';

const messageOf = (body: unknown): string => {
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : '';
};
const describe = (answer: ReplayAnswer) => `${answer.status} ${errorCodeIn(answer.body) ?? ''}${messageOf(answer.body) ? ` (${messageOf(answer.body)})` : ''}`.trim();

/** The proof the script caught on the app's own GET /api/me, else the last one it caught. */
function caughtProof(proofs: readonly Finding[]): string | undefined {
  const forMe = proofs.filter((finding) => {
    const claims = decodeJwt(finding.value)?.payload;
    return claims?.htm === 'GET' && typeof claims.htu === 'string' && claims.htu.endsWith(paths.me);
  });
  return (forMe.at(-1) ?? proofs.at(-1))?.value;
}

/**
 * The stolen token is bound to a key (cnf.jkt): the attacker's server replays it every way a thief
 * could without that key, and records the code that refused each.
 */
export async function replayBoundToken(context: LabContext, bound: readonly Finding[], proofs: readonly Finding[]): Promise<LabOutcome> {
  const token = bound
    .map(tokenOf)
    .filter((value): value is string => value !== null)
    .toSorted((a, b) => (expOf(b) ?? 0) - (expOf(a) ?? 0))[0];
  if (!token) throw new Error('The script caught a bound token the lab could not read.');
  const thief = context.stranger('the attacker');
  const dpop = { Authorization: `DPoP ${token}` };
  const tries: [string, ReplayAnswer][] = [];
  const attempt = async (what: string, send: () => Promise<ReplayAnswer>) => tries.push([what, await send()]);

  await attempt('with no proof', () => thief.send('GET', paths.me, { headers: dpop, as: 'the stolen token, no proof', keep: false }));
  await attempt('as a Bearer token', () => thief.send('GET', paths.me, { headers: { Authorization: `Bearer ${token}` }, as: 'the stolen token as Bearer', keep: false }));
  await attempt('with a proof by the attacker’s own key', () =>
    thief.send('GET', paths.me, { headers: dpop, prove: true, as: 'the stolen token, a proof by the attacker’s own key', keep: false }),
  );
  const copied = caughtProof(proofs);
  if (copied) {
    await attempt('with the proof copied from the page’s last request', () =>
      thief.send('GET', paths.me, { headers: { ...dpop, DPoP: copied }, as: 'the stolen token and the proof the page sent with it', keep: false }),
    );
  } else {
    context.step({ actor: 'lab', what: 'The script caught no proof to copy', note: 'the app’s request left before its hooks were in place' });
  }
  const admitted = tries.filter(([, answer]) => isAdmitted(answer.status));
  const lines = tries.map(([what, answer]) => `${what}: ${describe(answer)}`);
  if (admitted.length > 0) {
    return {
      verdict: 'broken',
      summary: `Broken: the stolen token worked from the attacker’s server ${admitted.map(([what]) => what).join(', ')}. ${lines.join('; ')}.`,
      figure: `works from outside ${admitted[0]![0]}`,
    };
  }
  return {
    verdict: 'held',
    summary: `Held: the script stole the access token, but it is bound to the page’s key; replayed from the attacker’s server, ${lines.join('; ')}.`,
    figure: `stolen token refused from outside (${tries.map(([, answer]) => errorCodeIn(answer.body) ?? answer.status).join(', ')})`,
    reason: 'each request must carry a fresh proof signed by the key the token names (cnf.jkt), which never leaves the page',
  };
}
