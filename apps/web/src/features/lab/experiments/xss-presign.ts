import { dpopNonceHeader, paths, type ConfigResponse } from '@authbench/contract';
import { formatSeconds } from '../../../lib/format-time';
import { errorCodeIn, expOf, findingsOf, isAdmitted, tokenOf } from '../analysis';
import { headerOf, type ReplayAnswer } from '../attacker';
import type { Experiment, LabContext } from '../lab-context';
import { signAhead } from '../payloads';
import { stealFromPage } from './xss-read';

/** How often the attacker's server spends one of the proofs. */
const everyMs = 2000;
/** The experiment's own limit is 90 s: the replays stop well before it, whatever the settings. */
const horizonMaxMs = 76_000;

/** When a proof signed now should stop being taken, by GET /api/config: its nonce two steps on, else its iat out of the window. */
const expectedLifeSeconds = (dpop: NonNullable<ConfigResponse['dpop']>) =>
  dpop.nonce && dpop.nonceStepSeconds !== undefined ? 2 * dpop.nonceStepSeconds : dpop.proofWindowSeconds;

interface Track {
  label: string;
  answers: { at: number; answer: ReplayAnswer }[];
  /** The first refusal ends the track. */
  refused: boolean;
}

const messageOf = (body: unknown): string => {
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : '';
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function summarise(track: Track) {
  const admitted = track.answers.filter(({ answer }) => isAdmitted(answer.status));
  const refusal = track.answers.find(({ answer }) => !isAdmitted(answer.status));
  return {
    admitted: admitted.length,
    lastAdmittedAt: admitted.at(-1)?.at ?? null,
    refusedAt: refusal?.at ?? null,
    code: refusal ? errorCodeIn(refusal.answer.body) : null,
    message: refusal ? messageOf(refusal.answer.body) : '',
  };
}

async function replayAhead(context: LabContext, caught: string) {
  const { target } = context;
  const dpop = target.config.dpop!;
  const api = new URL(target.url).origin;
  const horizonMs = Math.min((expectedLifeSeconds(dpop) + 6) * 1000, horizonMaxMs);
  const count = Math.floor(horizonMs / everyMs) + 1;
  const alone = await context.inject(signAhead, { api, configPath: paths.config, proofOrigin: dpop.origin, htm: 'POST', path: paths.logout, token: null, count });
  // The freshest token the script can get: a refresh, proven by the page's key; else the one it caught.
  const withToken = await context.inject(signAhead, { api, configPath: paths.config, proofOrigin: dpop.origin, htm: 'GET', path: paths.me, token: caught, refreshPath: paths.refresh, count });
  if (withToken.error !== undefined || alone.error !== undefined) throw new Error(`the script could not sign ahead: ${withToken.error ?? alone.error ?? ''}`);
  context.step({
    actor: 'injected script',
    what: `Found the page’s key; refreshed with it for a fresh token${withToken.token === caught ? ' (refused: kept the one it caught)' : ''}; signed ${count} proofs for GET ${paths.me} (with that token’s hash) and ${count} for POST ${paths.logout} (with none), ahead; shipped them out with the token`,
    note: `${withToken.key ?? '?'}; nonce ${withToken.nonce ?? 'none'}; iat ${new Date(withToken.signedAt).toISOString()}`,
  });
  return { withToken, alone, count, token: withToken.token ?? caught };
}

/**
 * DPoP's limit: a script in the page cannot take the key away, but it can sign with it, ahead of
 * time. How long is such a proof worth to the attacker's server, and how many times?
 */
export const xssPresignExperiment: Experiment = {
  id: 'xss-presign',
  title: 'Pre-signed proofs',
  tries:
    'Where tokens are bound to a key: a script injected into this page, which cannot export the key, uses it instead. It catches the access token, asks the API for a nonce, and signs proofs ahead (each with a jti of its own) for GET /api/me with the token’s hash, and for a request that needs a proof and nothing else (POST /api/auth/logout with no login to end, where the API checks the proof before anything). It ships them out; the attacker’s server spends one of each every 2 s until the API refuses them, and spends one proof twice.',
  appliesTo: (config) => config.dpop !== undefined,
  notApplicable: (config) => `${config.authMode} mode binds no token to a key (GET /api/config has no dpop): a stolen token needs no proof at all`,
  async run(context) {
    const { target, attacker, spaOrigin } = context;
    const dpop = target.config.dpop!;
    const tab = await context.signIn();
    const { loot } = await stealFromPage(context, tab);
    const caught = findingsOf(loot.findings, target.config, 'bound-token')
      .map(tokenOf)
      .filter((value): value is string => value !== null)
      .toSorted((a, b) => (expOf(b) ?? 0) - (expOf(a) ?? 0))[0];
    if (!caught) throw new Error('the script caught no token bound to a key');
    const ahead = await replayAhead(context, caught);
    const { withToken, alone, count, token } = ahead;

    const me = (proof: string) => attacker.replay({ url: target.url + paths.me, method: 'GET', headers: { Authorization: `DPoP ${token}`, DPoP: proof } });
    const logout = (proof: string) => attacker.replay({ url: target.url + paths.logout, method: 'POST', headers: { DPoP: proof, Origin: spaOrigin } });
    const tracks: Track[] = [
      { label: `GET ${paths.me} with the stolen token`, answers: [], refused: false },
      { label: `POST ${paths.logout}, the proof alone`, answers: [], refused: false },
    ];
    const started = performance.now();
    let nonceMovedAt: number | null = null;
    let replayedJti: ReplayAnswer | null = null;
    for (let i = 0; i < count && tracks.some((track) => !track.refused); i++) {
      const wait = started + i * everyMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const at = Date.now() - withToken.signedAt;
      const sends = [me(withToken.proofs[i]!), logout(alone.proofs[i]!)];
      const answers = await Promise.all(tracks.map((track, k) => (track.refused ? Promise.resolve(null) : sends[k]!.then(([answer]) => answer ?? null))));
      for (const [k, answer] of answers.entries()) {
        if (!answer) continue;
        tracks[k]!.answers.push({ at, answer });
        if (!isAdmitted(answer.status)) tracks[k]!.refused = true;
        const served = headerOf(answer, dpopNonceHeader);
        if (nonceMovedAt === null && served !== undefined && served !== withToken.nonce) nonceMovedAt = at;
      }
      // One proof, spent twice: the second time is a replay of its jti.
      if (i === 0) replayedJti = (await me(withToken.proofs[0]!))[0] ?? null;
    }

    for (const track of tracks) {
      context.step({
        actor: 'attacker server',
        what: `${track.label}, one pre-signed proof every ${everyMs / 1000} s`,
        status: track.answers.at(-1)?.answer.status ?? null,
        code: track.answers.at(-1) ? errorCodeIn(track.answers.at(-1)!.answer.body) : null,
        note: track.answers.map(({ at, answer }) => `${seconds(at)}: ${answer.status}${errorCodeIn(answer.body) ? ` ${errorCodeIn(answer.body) ?? ''}` : ''}`).join(' · '),
      });
    }
    if (replayedJti) {
      context.step({ actor: 'attacker server', what: `GET ${paths.me} with the first proof again`, status: replayedJti.status, code: errorCodeIn(replayedJti.body), note: messageOf(replayedJti.body) });
    }
    if (nonceMovedAt !== null) context.step({ actor: 'lab', what: `The API handed out a new nonce from ${seconds(nonceMovedAt)} after the signing`, note: 'the proofs’ nonce was then the previous one, still taken for one more step' });

    const withTheToken = summarise(tracks[0]!);
    const proofAlone = summarise(tracks[1]!);
    const bound = expectedLifeSeconds(dpop);
    const jti = replayedJti ? `${replayedJti.status} ${errorCodeIn(replayedJti.body) ?? ''} (${messageOf(replayedJti.body)})` : 'not tried';
    const life = (summary: ReturnType<typeof summarise>) =>
      summary.lastAdmittedAt === null
        ? `refused at once (${summary.code ?? '?'})`
        : `taken until ${seconds(summary.lastAdmittedAt)} after the signing${summary.refusedAt === null ? `, still at the end of the run` : `, refused from ${seconds(summary.refusedAt)} (${summary.code ?? '?'}${summary.message ? `: ${summary.message}` : ''})`}`;
    const why = dpop.nonce && dpop.nonceStepSeconds !== undefined
      ? `a new DPoP-Nonce every ${formatSeconds(dpop.nonceStepSeconds)}, the current and the previous taken, so a proof lasts until its nonce is two steps old: at most ${formatSeconds(bound)}; iat within ±${formatSeconds(dpop.proofWindowSeconds)}`
      : `no server nonce: a proof lasts while its iat is within ±${formatSeconds(dpop.proofWindowSeconds)}`;
    const reason = `${why}; each jti once. Whether another API process refuses a jti used here cannot be shown from this browser: the lab reaches this API at one URL and cannot pick the process behind it; the API’s own suite checks it across processes on the same stores.`;
    if (withTheToken.admitted === 0 && proofAlone.admitted === 0) {
      return { verdict: 'held', summary: `Held: no pre-signed proof was taken from outside (${life(withTheToken)}; the proof alone ${life(proofAlone)}).`, figure: 'pre-signed proofs refused', reason };
    }
    return {
      verdict: 'broken',
      summary: `Broken: for a while. The script could not export the key, but it signed ${count} proofs with it for later. From the attacker’s server, with the stolen token, they were ${life(withTheToken)}${withTheToken.code === 'token_expired' ? ', the token’s own end' : ''}; a proof alone was ${life(proofAlone)}${nonceMovedAt === null ? '' : ` (the API had moved to a new nonce at ${seconds(nonceMovedAt)})`}. Each only once: the first proof spent again got ${jti}.`,
      figure: `taken from outside: with the token until ${withTheToken.lastAdmittedAt === null ? '–' : seconds(withTheToken.lastAdmittedAt)}, alone until ${proofAlone.lastAdmittedAt === null ? '–' : seconds(proofAlone.lastAdmittedAt)} (≤ ${formatSeconds(bound)}), each once`,
      reason,
    };
  },
};
