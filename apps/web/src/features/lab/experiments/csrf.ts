import { ConfigResponse, MeResponse, modeTraits, paths } from '@authbench/contract';
import { isApiError } from '../../../api/api-error';
import { credentialCookieNames, errorCodeIn } from '../analysis';
import { headerOf } from '../attacker';
import type { Experiment, LabContext } from '../lab-context';

/**
 * Where the attacker's page runs: the attacker's site, and its server reached through this page's
 * host (another origin). Whether each is this page's site is the API's judgement (the Public
 * Suffix List), asked from the attacker's server with that origin as a browser would send it.
 */
async function attackerOrigins(context: LabContext): Promise<{ origin: string; relation: string }[]> {
  const { attacker, target, spaOrigin } = context;
  const crossSite = new URL(attacker.url);
  const sibling = new URL(attacker.url);
  sibling.hostname = new URL(spaOrigin).hostname;
  return Promise.all(
    [...new Set([crossSite.origin, sibling.origin])].map(async (origin) => {
      const [answer] = await attacker.replay({ url: target.url + paths.config, method: 'GET', headers: { Origin: origin } });
      const seen = ConfigResponse.safeParse(answer?.body);
      const relation = !seen.success
        ? 'another origin (the API did not say which site)'
        : seen.data.deployment.pageSite === target.config.deployment.pageSite
          ? 'the same site as the app, another origin'
          : 'another site';
      return { origin, relation };
    }),
  );
}

/** What keeps a cookie at home, in the words of its SameSite flag. */
function sameSiteRule(config: ConfigResponse): string {
  if (modeTraits[config.authMode].security === 'bearer') {
    return 'the credential is a Bearer header that only the app’s own script adds: a page elsewhere has nothing for the browser to attach';
  }
  const names = credentialCookieNames(config);
  return config.cookies
    .filter((cookie) => names.includes(cookie.name))
    .map((cookie) => {
      const rule = { lax: 'not sent with a cross-site POST or fetch (sent with a same-site one)', strict: 'never sent cross-site', none: 'sent cross-site too' }[cookie.sameSite];
      return `${cookie.name}: SameSite=${cookie.sameSite === 'none' ? 'None' : cookie.sameSite === 'lax' ? 'Lax' : 'Strict'}, ${rule}`;
    })
    .join('; ');
}

async function victimState(context: LabContext, tab: Awaited<ReturnType<LabContext['signIn']>>) {
  try {
    const me = await tab.get(paths.me, MeResponse);
    return { loggedIn: true, name: me.user.name };
  } catch (error) {
    if (isApiError(error) && error.status === 401) return { loggedIn: false, name: null };
    throw error;
  } finally {
    context.step({ actor: 'lab', what: 'Checked, as the user, whether the attack changed anything' });
  }
}

export const csrfExperiment: Experiment = {
  id: 'csrf',
  title: 'CSRF from another origin',
  tries:
    'A page on the attacker’s site (and one on another origin of the app’s own site) submits cross-site forms that log the user out and fetches that rename the user and log them out, with this browser and its cookies. Then the lab asks the API, as the user, whether the name changed and whether the login still works. The attacker’s server then sends the same requests without a browser, to show which check refuses them.',
  appliesTo: () => true,
  needsAttackerPage: true,
  async run(context) {
    const { target, attackerPage, attacker } = context;
    if (!attackerPage) throw new Error('The attacker’s page is not open.');
    const tab = await context.signIn();
    const before = await tab.get(paths.me, MeResponse);
    const name = `CSRF ${crypto.randomUUID().slice(0, 8)}`;
    const origins = await attackerOrigins(context);
    let attempts = 0;
    let damage: string | null = null;

    for (const { origin, relation } of origins) {
      const report = await attackerPage.attack(origin, target.url, name);
      for (const attempt of report.attempts) {
        attempts++;
        context.step({
          actor: 'attacker page',
          what: `${attempt.label}: ${attempt.method} ${new URL(attempt.url).pathname} from ${origin} (${relation})`,
          status: attempt.readable ? (attempt.status ?? null) : null,
          headers: [`→ Origin: ${origin}`, ...(attempt.contentType ? [`→ Content-Type: ${attempt.contentType}`] : [])],
          ms: attempt.ms,
          note: attempt.readable ? `read the answer: ${attempt.seen}` : `could not read the answer: ${attempt.seen}`,
        });
      }
      const after = await victimState(context, tab);
      if (!after.loggedIn) damage = `logged the user out from ${origin}`;
      else if (after.name !== before.user.name) damage = `renamed the user from ${origin}`;
      if (damage) break;
    }

    // Which check refuses them: the same requests from the attacker's server, which is no browser
    // (so SameSite does not apply) and sends no cookie, so only the API's own checks answer. Each
    // with the Origin header a browser sends from each of the attacker's origins.
    const preflights: string[] = [];
    const originChecks: string[] = [];
    for (const { origin } of origins) {
      const [preflight] = await attacker.replay({
        url: target.url + paths.me,
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'content-type' },
      });
      const allowOrigin = preflight ? headerOf(preflight, 'access-control-allow-origin') : undefined;
      context.step({
        actor: 'attacker server',
        what: `OPTIONS ${paths.me}: the preflight a browser sends before that PATCH`,
        status: preflight?.status ?? null,
        headers: [`→ Origin: ${origin}`, '→ Access-Control-Request-Method: PATCH', allowOrigin ? `← Access-Control-Allow-Origin: ${allowOrigin}` : '← no Access-Control-Allow-Origin'],
        note: allowOrigin ? 'the API allows this origin' : 'so the browser never sends the PATCH, and keeps every answer from the page',
      });
      preflights.push(`${new URL(origin).host}: ${allowOrigin ? `allowed (${allowOrigin})` : 'refused, no PATCH sent'}`);
      const [originCheck] = await attacker.replay({
        url: target.url + paths.logoutAll,
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const code = originCheck ? errorCodeIn(originCheck.body) : null;
      context.step({
        actor: 'attacker server',
        what: `POST ${paths.logoutAll} with the attacker’s Origin, as the browser sends it`,
        status: originCheck?.status ?? null,
        code,
        headers: [`→ Origin: ${origin}`],
      });
      originChecks.push(`${new URL(origin).host}: ${originCheck?.status ?? '?'} ${code ?? ''}`.trim());
    }
    let csrfCheck: string;
    if (target.config.csrfHeader) {
      const [withoutToken] = await attacker.replay({
        url: target.url + paths.logoutAll,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      const code = withoutToken ? errorCodeIn(withoutToken.body) : null;
      context.step({
        actor: 'attacker server',
        what: `POST ${paths.logoutAll} without Origin and without ${target.config.csrfHeader}`,
        status: withoutToken?.status ?? null,
        code,
        note: 'no browser sends a cross-origin POST without Origin; this shows the next check in line',
      });
      csrfCheck = `${target.config.csrfHeader}: ${withoutToken?.status ?? '?'} ${code ?? ''} without it`.trim();
    } else {
      csrfCheck = 'no CSRF token in this mode (GET /api/config names no CSRF header)';
    }

    const reason = [
      sameSiteRule(target.config),
      `CORS preflight: ${preflights.join(', ')}`,
      `Origin check: ${originChecks.join(', ')}`,
      csrfCheck,
    ].join(' · ');
    if (damage) return { verdict: 'broken', summary: `Broken: the attacker’s page ${damage}.`, figure: damage, reason };
    return {
      verdict: 'held',
      summary: `Held: after ${attempts} attempts from ${origins.length} origins, the name is unchanged and the login works (GET /api/me 200).`,
      figure: `name unchanged, still logged in (${attempts} attempts)`,
      reason,
    };
  },
};
