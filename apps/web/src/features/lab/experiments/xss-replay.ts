import { formatSeconds } from '../../../lib/format-time';
import { paths } from '@authbench/contract';
import { analyzeSeries, errorCodeIn, expOf, findingsOf, formatMs, isAdmitted, replayHeaderOf, shorten } from '../analysis';
import { decidingHeaders } from '../outside-client';
import type { Experiment } from '../lab-context';
import { stealFromPage } from './xss-read';
import { injectionPremise } from '../payloads';
import { replayBoundToken } from './xss-replay-bound';

export const xssReplayExperiment: Experiment = {
  id: 'xss-replay',
  title: 'Injected script steals and replays',
  premise: injectionPremise,
  tries:
    'The same injected script hands whatever it caught to the attacker’s server, which replays it from outside the browser (GET /api/me). If it works: the user logs out in the tab, and the server replays it again at once and then every 100 ms. How long it would last otherwise is read from the stolen token itself, as a thief would. A token bound to a key is replayed every way a thief without the key could: with no proof, as Bearer, with a proof by the attacker’s own key, and with the proof the page sent with it.',
  appliesTo: () => true,
  async run(context) {
    const { target, attacker } = context;
    const tab = await context.signIn();
    const { loot, credentials } = await stealFromPage(context, tab);

    const replayMe = async (headers: Record<string, string>, what: string) => {
      const [answer] = await attacker.replay({ url: target.url + paths.me, method: 'GET', headers });
      context.step({
        actor: 'attacker server',
        what: `GET ${paths.me} with ${what}`,
        status: answer?.status ?? null,
        code: answer ? errorCodeIn(answer.body) : null,
        headers: decidingHeaders(headers, null),
        ...(answer && { ms: answer.ms }),
      });
      return answer;
    };

    const bound = findingsOf(loot.findings, target.config, 'bound-token');
    if (credentials.length === 0 && bound.length > 0) return replayBoundToken(context, bound, findingsOf(loot.findings, target.config, 'proof'));
    if (credentials.length === 0) {
      const csrf = loot.findings.find((finding) => finding.kind === 'csrf-token');
      const headers = csrf && target.config.csrfHeader ? { [target.config.csrfHeader]: csrf.value } : {};
      const answer = await replayMe(headers, csrf ? 'the CSRF token the script got' : 'nothing (the script got nothing)');
      const status = answer ? `${answer.status} ${errorCodeIn(answer.body) ?? ''}`.trim() : 'no answer';
      return {
        verdict: 'held',
        summary: `Held: the script had no credential to hand over; replayed from outside with what it had, GET /api/me answered ${status}.`,
        figure: `nothing to replay (GET /api/me ${status})`,
      };
    }

    const working: { header: [string, string]; value: string }[] = [];
    for (const finding of credentials) {
      const header = replayHeaderOf(finding);
      if (!header) continue;
      const answer = await replayMe({ [header[0]]: header[1] }, `what the script caught in ${finding.source}`);
      if (answer && isAdmitted(answer.status)) working.push({ header, value: finding.value });
    }
    // The freshest of them (latest exp): the one that says most about how long a theft lasts.
    const stolen = working.toSorted((a, b) => (expOf(b.value) ?? 0) - (expOf(a.value) ?? 0))[0];
    if (!stolen) {
      return {
        verdict: 'held',
        summary: `Held: the script caught ${credentials.length} credential${credentials.length > 1 ? 's' : ''}, and the API refused ${credentials.length > 1 ? 'each' : 'it'} from outside the browser.`,
        figure: 'caught, but refused from outside',
      };
    }

    // How long: the thief reads the token's expiry; the user logs out, and the thief keeps trying.
    const exp = expOf(stolen.value);
    const lifetime = exp === null ? null : exp - Date.now() / 1000;
    await tab.logout();
    const loggedOutAt = Date.now();
    context.step({ actor: 'lab', what: 'The user logs out in the tab' });
    const headers = { [stolen.header[0]]: stolen.header[1] };
    const answers = await attacker.replay({ url: target.url + paths.me, method: 'GET', headers }, { count: 10, everyMs: 100, until: 'refused' });
    const series = analyzeSeries(answers.map((answer) => ({ at: answer.at, status: answer.status, code: errorCodeIn(answer.body) })));
    context.step({
      actor: 'attacker server',
      what: `GET ${paths.me} with the stolen credential after the logout, ×${answers.length} every 100 ms`,
      status: answers.at(-1)?.status ?? null,
      code: answers.at(-1) ? errorCodeIn(answers.at(-1)?.body) : null,
      headers: [`→ ${stolen.header[0]}: ${shorten(stolen.header[1])}`],
      note: answers.map((answer) => `${Math.round(answer.at)} ms: ${answer.status}`).join(' · '),
    });
    const afterLogout =
      series.firstRefusal?.code === 'token_expired'
        ? `it expired before the logout could be measured (${formatMs(series.firstRefusal.at)})`
        : series.firstRefusal && series.admitted === 0
        ? `refused at the first replay, ~${formatMs(Math.max(0, (answers[0]?.sentAt ?? loggedOutAt) - loggedOutAt))} after logout (${series.firstRefusal.status} ${series.firstRefusal.code ?? ''})`.replace(' )', ')')
        : series.firstRefusal
          ? `still admitted ${series.admitted}× after logout, refused after ${formatMs(series.firstRefusal.at)}`
          : `still admitted ${series.admitted} of ${series.sent} times over ${formatMs(answers.at(-1)?.at ?? 0)} after logout`;
    const untilExpiry = lifetime === null ? '' : `; without a logout it lasts until its exp, ${formatSeconds(Math.max(0, lifetime))} after the theft`;
    return {
      verdict: 'broken',
      summary: `Broken: ${working.length} of the ${credentials.length} stolen credential${credentials.length > 1 ? 's' : ''} worked from the attacker’s server (GET /api/me 200); ${afterLogout}${untilExpiry}.`,
      figure: `works from outside; ${afterLogout}`,
      reason: `stolen via ${credentials.map((finding) => finding.source).join('; ')}`,
    };
  },
};
