import { MeResponse, cookieNames, modeTraits, paths } from '@authbench/contract';
import { cookieValueIn, errorCodeIn } from '../analysis';
import type { Experiment } from '../lab-context';
import { injectionPremise, plantCookie } from '../payloads';

export const fixationExperiment: Experiment = {
  id: 'fixation',
  title: 'Session fixation',
  premise: injectionPremise,
  tries:
    'The attacker obtains a session id the API really issued (by logging in from the attacker’s server), plants it in this browser with script (cookies are per host, not per port, so a page on the API’s host can set one for it), and waits for the user to log in. Is the user’s login then the planted session, which the attacker could use?',
  appliesTo: (config) => modeTraits[config.authMode].security === 'sessionCookie',
  notApplicable: (config) => `${config.authMode} mode issues no session id before login for an attacker to plant`,
  async run(context) {
    const { target, spaOrigin } = context;
    const sessionName = target.config.cookies.map((cookie) => cookie.name).find((name) => [cookieNames(false).session, cookieNames(true).session].includes(name));
    if (!sessionName) throw new Error('GET /api/config lists no session cookie.');

    const attacker = await context.outside('the attacker');
    const planted = cookieValueIn(attacker.jar(), sessionName);
    const plantedSession = attacker.sessionId();
    if (!planted || !plantedSession) throw new Error('The attacker’s login set no session cookie.');

    // The tab starts logged out: a browser lets no script overwrite an HttpOnly cookie it holds.
    const tab = context.newClient();
    await tab.logout().catch(() => undefined);
    const apiHost = new URL(target.url).hostname;
    if (apiHost !== new URL(spaOrigin).hostname) {
      return {
        verdict: 'held',
        summary: `Held: this page (${new URL(spaOrigin).hostname}) cannot set cookies for the API’s host (${apiHost}), so nothing can be planted from here.`,
        figure: 'cannot plant from this host',
      };
    }
    const { planted: landed } = await context.inject(plantCookie, { name: sessionName, value: planted });
    context.step({ actor: 'injected script', what: `document.cookie = "${sessionName}=…; path=/"`, note: landed ? 'planted: the browser will send it to the API' : 'the browser refused it' });
    if (!landed) {
      return { verdict: 'held', summary: `Held: the browser refused to let script set ${sessionName}.`, figure: 'could not plant' };
    }

    await tab.login({ email: context.account.email, password: context.account.password });
    context.defer(() => tab.logout().catch(() => undefined));
    const me = await tab.get(paths.me, MeResponse);
    const userSession = me.login?.sessionId ?? null;
    context.step({ actor: 'lab', what: 'The user logged in', note: `the planted session was ${plantedSession}; the user’s login is ${userSession ?? 'unknown'}` });
    const replay = await attacker.send('GET', paths.me, { headers: { Cookie: `${sessionName}=${planted}` }, as: 'the attacker, with the planted id', keep: false });
    const replaySession = (replay.body as { login?: { sessionId?: unknown } } | null)?.login?.sessionId;

    const fixed = userSession === plantedSession || (replay.status === 200 && replaySession === userSession);
    if (fixed) {
      return { verdict: 'broken', summary: 'Broken: the user logged in on the planted session: the attacker shares it.', figure: 'the planted id survived the login' };
    }
    const answer = `${replay.status} ${errorCodeIn(replay.body) ?? ''}`.trim();
    return {
      verdict: 'held',
      summary: `Held: the login issued a new session id; the planted one now answers ${answer}.`,
      figure: `new id at login; planted id ${answer}`,
      reason: `session id at login: ${plantedSession} (planted) → ${userSession ?? '?'}`,
    };
  },
};
