import { MeResponse, cookieNames, csrfHeader, modeTraits, paths, proofErrorCodes } from '@authbench/contract';
import { isApiError } from '../../../api/api-error';
import type { AuthEvent } from '../../../api/client';
import { cookieValueIn, errorCodeIn, isAdmitted } from '../analysis';
import type { Experiment } from '../lab-context';
import { injectionPremise, refreshTwice, type ProbeAnswer } from '../payloads';

/** The browser decides whether two requests leave together; a few tries make it very likely they do. */
const maxRaceAttempts = 5;

export const refreshReplayExperiment: Experiment = {
  id: 'refresh-replay',
  title: 'Refresh-token replay',
  premise: injectionPremise,
  tries:
    'A thief holds a copy of a device’s refresh cookie; the owner refreshes (the token rotates), then the thief presents the old one from the attacker’s server. Then in this tab: an injected script presents the tab’s own refresh cookie twice at once, as a thief and the owner racing would, and the lab watches whether the tab finds itself logged out.',
  appliesTo: (config) => modeTraits[config.authMode].refreshToken,
  notApplicable: (config) => `${config.authMode} mode has no refresh token (GET /api/config lists no refresh cookie)`,
  async run(context) {
    const { target } = context;
    const refreshName = target.config.cookies.map((cookie) => cookie.name).find((name) => [cookieNames(false).refresh, cookieNames(true).refresh].includes(name));
    if (!refreshName) throw new Error('GET /api/config lists no refresh cookie.');

    // 1. Outside the browser: the owner rotates, the thief presents the spent token.
    const owner = await context.outside('the owner’s device');
    const stolen = cookieValueIn(owner.jar(), refreshName);
    if (!stolen) throw new Error('The login set no refresh cookie.');
    const ownerRefresh = await owner.send('POST', paths.refresh, { note: 'the token rotates' });
    // The owner's access token as it stands now (a refused refresh below clears the owner's cookies).
    const ownerAccessHeaders = await owner.credentialHeaders('GET', paths.me);
    // The thief brings the stolen cookie, and gets a CSRF token where the mode wants one, as any client can.
    const thief = context.stranger('the thief');
    const refreshPath = target.config.cookies.find((cookie) => cookie.name === refreshName)?.path ?? '/';
    thief.adopt([{ name: refreshName, value: stolen, path: refreshPath }]);
    if (target.config.csrfHeader) await thief.send('GET', paths.csrf, { note: 'a CSRF token for the thief’s own cookies' });
    const spent = await thief.send('POST', paths.refresh, { note: 'the spent token, with a forged Origin' });
    const ownerAgain = await owner.send('POST', paths.refresh, { as: 'the owner, with the token it was just given' });
    const ownerAccess = await owner.send('GET', paths.me, { headers: ownerAccessHeaders, as: 'the owner’s access token, issued at the rotation', keep: false });

    // 2. In this tab: the same token presented twice at once; does the tab see its login end?
    const tab = await context.signIn();
    const events: AuthEvent[] = [];
    const unsubscribe = tab.subscribe((event) => events.push(event));
    context.defer(unsubscribe);
    let race: ProbeAnswer[] = [];
    for (let attempt = 1; attempt <= maxRaceAttempts; attempt++) {
      race = await context.inject(refreshTwice, {
        api: new URL(target.url).origin,
        csrfPath: paths.csrf,
        refreshPath: paths.refresh,
        csrfHeader: target.config.csrfHeader ?? csrfHeader,
      });
      for (const answer of race) {
        context.step({ actor: 'injected script', what: `${answer.what}, with the page’s cookies`, status: answer.status, code: answer.note ?? null });
      }
      if (!race.every((answer) => answer.status !== null && isAdmitted(answer.status))) break;
      context.step({
        actor: 'lab',
        what: 'Both admitted: the browser sent the second after the first had rotated the cookie, so no token went twice',
        note: attempt < maxRaceAttempts ? 'again' : `no race in ${maxRaceAttempts} tries`,
      });
    }
    let tabStatus: string;
    try {
      await tab.get(paths.me, MeResponse);
      tabStatus = 'still logged in';
    } catch (error) {
      tabStatus = isApiError(error) ? `${error.status} ${error.code}` : 'failed';
    }
    const signedOut = events.some((event) => event.type === 'signed-out');
    context.step({ actor: 'lab', what: 'The tab’s next request', note: `${tabStatus}; the app ${signedOut ? 'signed the user out' : 'still shows the user'}` });

    const familyRevoked = !isAdmitted(spent.status) && !isAdmitted(ownerAgain.status);
    const raceRefused = race.filter((answer) => answer.status !== null && !isAdmitted(answer.status)).length;
    const accessAfter = isAdmitted(ownerAccess.status) ? 'the owner’s access token still works until it expires' : `the owner’s access token too (${ownerAccess.status} ${errorCodeIn(ownerAccess.body) ?? ''})`.trim();
    const reason = `rotation: ${ownerRefresh.status}; spent token: ${spent.status} ${errorCodeIn(spent.body) ?? ''}; the owner’s next refresh: ${ownerAgain.status} ${errorCodeIn(ownerAgain.body) ?? ''}; in the tab, ${raceRefused} of 2 refused, tab: ${tabStatus}`;
    const inTheTab =
      raceRefused >= 1
        ? `${raceRefused} of 2 simultaneous refreshes was refused and the tab ${signedOut ? 'logged the user out' : `answered ${tabStatus}`}`
        : race.every((answer) => answer.status !== null && isAdmitted(answer.status))
          ? `the browser never sent the two refreshes together in ${maxRaceAttempts} tries (each carried the cookie current when it left), so no token went twice there`
          : `the race could not be run (${race.map((answer) => answer.status ?? answer.note).join(', ')})`;
    // Bound to the owner's key: the thief, without it, is refused before reuse detection, and spends nothing.
    const spentCode = errorCodeIn(spent.body);
    const keyBound = !isAdmitted(spent.status) && spentCode !== null && (proofErrorCodes as readonly string[]).includes(spentCode);
    if (keyBound && isAdmitted(ownerAgain.status)) {
      return {
        verdict: 'held',
        summary: `Held: the stolen refresh token is bound to the owner’s key; presented by the thief with a proof by the thief’s own key, it was refused (${spent.status} ${spentCode}) and spent nothing: the owner’s next refresh went through (${ownerAgain.status}), ${accessAfter}. In the tab, ${inTheTab}.`,
        figure: `refused without the owner’s key (${spentCode}); nothing spent`,
        reason,
      };
    }
    if (familyRevoked) {
      return {
        verdict: 'held',
        summary: `Held: the spent refresh token was refused (${spent.status} ${errorCodeIn(spent.body) ?? ''}) and took its whole family with it: the owner’s next refresh too, ${accessAfter}. In the tab, ${inTheTab}.`,
        figure: `family revoked; tab ${signedOut ? 'logged out' : tabStatus}`,
        reason,
      };
    }
    return {
      verdict: 'broken',
      summary: `Broken: a spent refresh token ${isAdmitted(spent.status) ? 'was accepted again' : 'was refused, but the family lived on'}.`,
      figure: isAdmitted(spent.status) ? 'spent token accepted' : 'family not revoked',
      reason,
    };
  },
};
