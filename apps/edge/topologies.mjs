// Where the SPA and the APIs live, per deployment topology: the one table that `pnpm dev`
// (scripts/dev.mjs), the e2e suite (e2e/e2e-env.ts) and the edge itself read. Every host name is
// made up under the reserved .test TLD and resolves to this machine only by asking: the edge
// answers for all of them on one port, routing by the Host header.
//
//   same-origin  https://<mode>.app.example.test   the SPA and /api under one origin, through
//                                                  the edge (the BFF shape): first-party cookies
//   same-site    https://app.example.test  →  https://<mode>.api.example.test
//                                                  two origins, one site: SameSite=Lax cookies go
//   cross-site   https://app.example.test  →  https://<mode>.api.other.test
//                                                  two sites: the API's cookies are third-party
//                                                  cookies, SameSite=None; Secure (and Partitioned,
//                                                  COOKIE_PARTITIONED, for browsers that block them)

/** @typedef {'same-origin' | 'same-site' | 'cross-site'} Topology */
/** @typedef {'session' | 'jwt' | 'jwt-cookie' | 'jwt-dpop'} Mode */

/** @type {readonly Topology[]} */
export const topologies = ['same-origin', 'same-site', 'cross-site'];
/** The contract's authModes (plain Node cannot import its TypeScript). */
/** @type {readonly Mode[]} */
export const modes = ['session', 'jwt', 'jwt-cookie', 'jwt-dpop'];

/** @param {string} value @returns {value is Topology} */
export const isTopology = (value) => /** @type {readonly string[]} */ (topologies).includes(value);

/** The host names the certificate covers: every topology's, so one certificate serves them all. */
export const certificateHosts = ['app.example.test', '*.app.example.test', '*.api.example.test', '*.api.other.test'];

/** Chromium's flag and Firefox's pref that make the made-up names resolve to this machine. */
export const hostResolverRules = 'MAP *.example.test 127.0.0.1, MAP *.other.test 127.0.0.1';

/** @type {Record<Topology, (mode: Mode) => string>} */
const apiHost = {
  'same-origin': (mode) => `${mode}.app.example.test`,
  'same-site': (mode) => `${mode}.api.example.test`,
  'cross-site': (mode) => `${mode}.api.other.test`,
};
const spaHost = 'app.example.test';

/**
 * @typedef {object} Route
 * @property {string} host           the Host the browser asks for
 * @property {Mode} [api]            /api/* and /.well-known/* go to this mode's API
 * @property {boolean} spa           everything else goes to the SPA
 */

/**
 * @typedef {object} Deployment
 * @property {Topology} topology
 * @property {boolean} partitioned          whether the APIs add Partitioned (CHIPS) to their cookies
 * @property {number} port                  the edge's port
 * @property {Record<Mode, string>} apiUrls what the browser calls, per mode (each API's PUBLIC_ORIGIN)
 * @property {Record<Mode, string>} spaUrls where the SPA is opened, per mode (one origin unless same-origin)
 * @property {string[]} spaOrigins          every origin the SPA is served from (the APIs' CORS_ORIGINS)
 * @property {Route[]} routes
 * @property {Record<string, string>} apiEnv the API settings this topology implies (cookies, CORS, proxy), for every mode
 * @property {string} summary               one line: what is where, and the cookies' attributes
 */

/**
 * @param {{ topology: Topology, port: number, partitioned?: boolean }} options
 *   partitioned: COOKIE_PARTITIONED; by default on where it matters (cross-site), off elsewhere
 * @returns {Deployment}
 */
export function describeDeployment({ topology, port, partitioned = topology === 'cross-site' }) {
  /** @param {string} host */
  const at = (host) => (port === 443 ? `https://${host}` : `https://${host}:${port}`);
  const apiUrls = /** @type {Record<Mode, string>} */ (Object.fromEntries(modes.map((mode) => [mode, at(apiHost[topology](mode))])));
  const spaUrls = topology === 'same-origin' ? apiUrls : /** @type {Record<Mode, string>} */ (Object.fromEntries(modes.map((mode) => [mode, at(spaHost)])));
  const spaOrigins = [...new Set(Object.values(spaUrls))];
  /** @type {Route[]} */
  const routes =
    topology === 'same-origin'
      ? modes.map((mode) => ({ host: apiHost[topology](mode), api: mode, spa: true }))
      : [{ host: spaHost, spa: true }, ...modes.map((mode) => ({ host: apiHost[topology](mode), api: mode, spa: false }))];
  const crossSite = topology === 'cross-site';
  const apiEnv = {
    // HTTPS everywhere, so Secure cookies and their __Host-/__Secure- prefixes, as in production.
    COOKIE_SECURE: 'on',
    // Only cross-site needs SameSite=None (and so Secure): elsewhere Lax keeps its CSRF defence.
    COOKIE_SAMESITE: crossSite ? 'none' : 'lax',
    COOKIE_PARTITIONED: partitioned ? 'on' : 'off',
    CORS_ORIGINS: spaOrigins.join(','),
    // The edge terminates TLS on this machine: trust its X-Forwarded-Proto and X-Forwarded-For.
    TRUST_PROXY: 'loopback',
  };
  const cookies = `${crossSite ? 'SameSite=None' : 'SameSite=Lax'}; Secure${partitioned ? '; Partitioned' : ''}`;
  const summary =
    topology === 'same-origin'
      ? `same-origin: the SPA and /api of each mode under one origin (${spaUrls.session}, …), cookies ${cookies}`
      : `${topology}: the SPA on ${spaUrls.session}, the APIs on ${apiUrls.session}, …, cookies ${cookies}`;
  return { topology, partitioned, port, apiUrls, spaUrls, spaOrigins, routes, apiEnv, summary };
}
