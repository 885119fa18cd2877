import type { AuthMode } from '@authbench/contract';
import { describeDeployment, hostResolverRules, isTopology, type Deployment, type Topology } from '@authbench/edge/topologies';

// Where the e2e servers listen, in one of four layouts (E2E_TOPOLOGY):
//   localhost (default)  plain HTTP: the SPA on localhost:4173 (its production server), the APIs on localhost:4100-4103
//                        (one site), the attacker on 127.0.0.1:4174 (another site)
//   same-origin, same-site, cross-site
//                        HTTPS through the edge (apps/edge) on :4443, with made-up host names
//                        (apps/edge/topologies.mjs); the API processes still listen on
//                        127.0.0.1:4100-4103, behind it. E2E_PARTITIONED=on|off sets the APIs'
//                        COOKIE_PARTITIONED (default: on for cross-site, where it matters).
// E2E_PORT_OFFSET shifts every port, so that a run can share the machine with another run (or
// with `pnpm dev`).
export const portOffset = Number(process.env.E2E_PORT_OFFSET ?? 0);
const at = (host: 'localhost' | '127.0.0.1', port: number) => `http://${host}:${port + portOffset}`;
export type Mode = AuthMode;

const requested = process.env.E2E_TOPOLOGY ?? 'localhost';
if (requested !== 'localhost' && !isTopology(requested)) {
  throw new Error(`E2E_TOPOLOGY: expected localhost, same-origin, same-site or cross-site (got ${JSON.stringify(requested)})`);
}
export const topology: Topology | 'localhost' = requested;
const partitionedSetting = process.env.E2E_PARTITIONED;
if (partitionedSetting !== undefined && !['on', 'off'].includes(partitionedSetting)) throw new Error('E2E_PARTITIONED: expected on or off');

/** The topology's layout, served through the edge; undefined on the plain localhost layout. */
export const deployment: Deployment | undefined =
  topology === 'localhost'
    ? undefined
    : describeDeployment({ topology, port: 4443 + portOffset, ...(partitionedSetting && { partitioned: partitionedSetting === 'on' }) });
/** Secure cookies, with their __Host-/__Secure- prefixes: every layout but plain localhost. */
export const secureCookies = deployment !== undefined;
/** Chromium's flag and Firefox's pref that resolve the made-up host names to this machine. */
export const resolverRules = hostResolverRules;

/** Where the API processes listen (behind the edge in a topology): what clients outside the browser call. */
export const apiDirectUrls = {
  session: at('127.0.0.1', 4100),
  jwt: at('127.0.0.1', 4101),
  'jwt-cookie': at('127.0.0.1', 4102),
  'jwt-dpop': at('127.0.0.1', 4103),
} satisfies Record<AuthMode, string>;
/** One API process per mode, one Playwright project per API (playwright.config.ts): what the browser calls. */
export const apiUrls: Record<AuthMode, string> = deployment?.apiUrls ?? {
  session: at('localhost', 4100),
  jwt: at('localhost', 4101),
  'jwt-cookie': at('localhost', 4102),
  'jwt-dpop': at('localhost', 4103),
};
/** Where each mode's project opens the SPA: one origin, except same-origin (the SPA under each API's). */
export const spaUrls: Record<AuthMode, string> = deployment?.spaUrls ?? {
  session: at('localhost', 4173),
  jwt: at('localhost', 4173),
  'jwt-cookie': at('localhost', 4173),
  'jwt-dpop': at('localhost', 4173),
};
export const spaUrl = spaUrls.session;
/** Where the production server (apps/web/server/serve.ts) serves the built SPA (behind the edge in a topology). */
export const spaServerUrl = at('127.0.0.1', 4173);
export const attackerUrl = at('127.0.0.1', 4174);
/** The attacker's server again, reached as localhost: another origin, but the same site as the SPA. */
export const sameSiteAttackerUrl = at('localhost', 4174);
/** start-servers.mjs answers here once every server is up. */
export const readyUrl = at('127.0.0.1', 4179);
/** The jwt modes' access-token lifetime: short, so that expiry happens during the tests. */
export const accessTokenTtlSeconds = 3;
/**
 * jwt-dpop's proof window (its nonce step is half of it): a third of the default minute, so that the
 * lab's pre-signed proofs run out sooner. Not shorter: a page idle for more than one step meets
 * use_dpop_nonce once, which the specs that count refusals would have to allow for.
 */
export const dpopProofWindowSeconds = 20;
export const apiChoiceKey = 'authbench.apiUrl';
