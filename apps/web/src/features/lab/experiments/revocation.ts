import { formatSeconds } from '../../../lib/format-time';
import { paths, type ConfigResponse } from '@authbench/contract';
import { analyzeSeries, errorCodeIn, formatMs, isAdmitted, type SeriesVerdict } from '../analysis';
import type { ReplayAnswer } from '../attacker';
import type { Experiment } from '../lab-context';

/** The copy must work before the revocation, or the replays after it prove nothing. */
async function mustWork(sent: Promise<ReplayAnswer>): Promise<void> {
  const answer = await sent;
  if (!isAdmitted(answer.status)) throw new Error(`the thief’s copy did not work even before the revocation (${answer.status} ${errorCodeIn(answer.body) ?? ''})`);
}

const verdictOf = (answers: readonly ReplayAnswer[]) =>
  analyzeSeries(answers.map((answer) => ({ at: answer.at, status: answer.status, code: errorCodeIn(answer.body) })));

function describe(series: SeriesVerdict, delayMs: number, event: string): string {
  if (series.admitted === 0 && series.firstRefusal) {
    return `${event}: refused at the first replay, sent ~${formatMs(delayMs)} after it (${series.firstRefusal.status} ${series.firstRefusal.code ?? ''})`.replace(' )', ')');
  }
  if (series.firstRefusal) return `${event}: admitted ${series.admitted}×, refused only ${formatMs(delayMs + series.firstRefusal.at)} after it`;
  return `${event}: still admitted ${series.admitted} of ${series.sent} times, ${formatMs(delayMs + (series.lastAdmittedAt ?? 0))} after it`;
}

/** What the configuration says about revocation, beside what was measured. */
export function revocationSetting(config: ConfigResponse): string {
  if (config.revocationCheck === true && config.accessTokenTtlSeconds !== undefined) {
    return `JWT_REVOCATION_CHECK is on; off, a revoked access token would keep working until it expires: up to ${formatSeconds(config.accessTokenTtlSeconds)} (ACCESS_TOKEN_TTL)`;
  }
  if (config.revocationCheck === false && config.accessTokenTtlSeconds !== undefined) {
    return `JWT_REVOCATION_CHECK is off: a revoked access token works until it expires, up to ${formatSeconds(config.accessTokenTtlSeconds)} (ACCESS_TOKEN_TTL)`;
  }
  if (config.sessionIdleSeconds !== undefined && config.sessionAbsoluteSeconds !== undefined) {
    return `no access token: the server-side session is the login (idle timeout ${formatSeconds(config.sessionIdleSeconds)}, absolute ${formatSeconds(config.sessionAbsoluteSeconds)})`;
  }
  return 'GET /api/config says nothing about revocation';
}

export const revocationExperiment: Experiment = {
  id: 'revocation',
  title: 'Logout and revocation latency',
  tries:
    'Two devices of the lab’s account log in outside the browser (from the attacker’s server), and a thief keeps a copy of each one’s credential. The first device is revoked from this tab (“revoke this device”); the second logs itself out. Right after each, the thief replays the copy at once and then every 100 ms: how long does it keep working? Where tokens are bound to a key (DPoP), the thief signs a fresh proof for each replay with the device’s key, as malware on the device could: without one the copy would be refused before any revocation, and would measure nothing.',
  appliesTo: () => true,
  async run(context) {
    const { target } = context;
    const tab = await context.signIn();
    const repeat = { count: 10, everyMs: 100, until: 'refused' } as const;

    const deviceA = await context.outside('device A');
    const copyA = await deviceA.credentialHeaders('GET', paths.me);
    await mustWork(deviceA.send('GET', paths.me, { headers: copyA, as: 'the thief’s copy of device A’s credential, before', keep: false }));
    const sessionId = deviceA.sessionId();
    if (!sessionId) throw new Error('GET /api/me reported no session id for device A.');
    await tab.delete(paths.session(sessionId));
    const revokedAt = Date.now();
    context.step({ actor: 'lab', what: 'Revoked device A from the tab (“revoke this device”)' });
    const afterRevoke = await deviceA.series('GET', paths.me, copyA, repeat, 'the thief’s copy, after the revocation');
    const revokeDelay = (afterRevoke[0]?.sentAt ?? revokedAt) - revokedAt;

    const deviceB = await context.outside('device B');
    const copyB = await deviceB.credentialHeaders('GET', paths.me);
    await mustWork(deviceB.send('GET', paths.me, { headers: copyB, as: 'the thief’s copy of device B’s credential, before', keep: false }));
    await deviceB.logout();
    const loggedOutAt = Date.now();
    const afterLogout = await deviceB.series('GET', paths.me, copyB, repeat, 'the thief’s copy, after the logout');
    const logoutDelay = (afterLogout[0]?.sentAt ?? loggedOutAt) - loggedOutAt;

    const revoked = verdictOf(afterRevoke);
    const loggedOut = verdictOf(afterLogout);
    // A refusal for expiry says nothing about revocation: too short an ACCESS_TOKEN_TTL to measure.
    if ([revoked, loggedOut].some((series) => series.firstRefusal?.code === 'token_expired')) {
      throw new Error(`a copy expired before its revocation could be measured (ACCESS_TOKEN_TTL: ${target.config.accessTokenTtlSeconds ?? '?'} s)`);
    }
    const lines = [describe(revoked, Math.max(0, revokeDelay), 'after “revoke this device”'), describe(loggedOut, Math.max(0, logoutDelay), 'after the logout')];
    const reason = revocationSetting(target.config);
    if (revoked.admitted === 0 && loggedOut.admitted === 0) {
      return {
        verdict: 'held',
        summary: `Held: ${lines.join('; ')}.`,
        figure: `0 replays admitted; the first, ~${formatMs(Math.max(0, revokeDelay, logoutDelay))} after revoke or logout, refused`,
        reason,
      };
    }
    return {
      verdict: 'broken',
      summary: `Broken: ${lines.join('; ')}.`,
      figure: `${revoked.admitted + loggedOut.admitted} replays admitted after revoke or logout`,
      reason,
    };
  },
};
