import { cookieNames, modeTraits, type ConfigResponse, type CookieInfo, type ModeTraits } from '@authbench/contract';
import { useSyncExternalStore } from 'react';
import { formatSeconds } from '../../lib/format-time';
import { buildMatrix, describeCell, labResults, type LabExperimentInfo, type MatrixColumn } from '../../lib/lab-results';
import { BenchSeedsTable } from './bench-seeds-table';

const notConfigured = 'not in this API’s configuration';
const sameSite = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

const flagsOf = (cookie: CookieInfo) =>
  [cookie.httpOnly ? 'HttpOnly' : 'readable by script', cookie.secure && 'Secure', `SameSite=${sameSite[cookie.sameSite]}`, `Path=${cookie.path}`]
    .filter(Boolean)
    .join(', ');

const cookieCell = (config: ConfigResponse, which: 'session' | 'access') => {
  const cookie = config.cookies.find((each) => each.name === cookieNames(each.secure)[which]);
  return cookie ? `cookie ${cookie.name} (${flagsOf(cookie)})` : notConfigured;
};

/** Where the login travels, from the mode's traits and the cookies GET /api/config lists. */
const credentialOf: Record<ModeTraits['security'], (config: ConfigResponse) => string> = {
  sessionCookie: (config) => cookieCell(config, 'session'),
  accessCookie: (config) => cookieCell(config, 'access'),
  bearer: () => 'Authorization: Bearer header, added by the app’s script',
  dpop: () => 'Authorization: DPoP header, added by the app’s script, with a proof per request signed by a key script cannot export',
};

/** How proofs are checked (GET /api/config's dpop), and so how long a proof signed ahead is taken at most. */
function proofOf(config: ConfigResponse): string {
  const dpop = config.dpop;
  if (!dpop) return 'none: whoever holds the credential can use it';
  const window = `iat within ±${formatSeconds(dpop.proofWindowSeconds)}`;
  if (dpop.nonce && dpop.nonceStepSeconds !== undefined) {
    return `DPoP (ES256), each jti once; a server nonce, new every ${formatSeconds(dpop.nonceStepSeconds)} (the previous one still taken); ${window}: a proof signed ahead is taken for at most ${formatSeconds(2 * dpop.nonceStepSeconds)}`;
  }
  return `DPoP (ES256), each jti once; no server nonce; ${window}: a proof dated ahead is taken for up to ${formatSeconds(2 * dpop.proofWindowSeconds)}`;
}

/** Rows read from each API's live configuration: change a setting, and the cell changes. */
const configRows: { topic: string; cell: (config: ConfigResponse) => string }[] = [
  { topic: 'Credential', cell: (config) => credentialOf[modeTraits[config.authMode].security](config) },
  { topic: 'Proof of possession', cell: proofOf },
  { topic: 'Cookies it sets', cell: (config) => (config.cookies.length ? config.cookies.map((cookie) => `${cookie.name} (${flagsOf(cookie)})`).join('; ') : 'none') },
  { topic: 'Access token lifetime', cell: (config) => (config.accessTokenTtlSeconds === undefined ? notConfigured : formatSeconds(config.accessTokenTtlSeconds)) },
  { topic: 'Refresh token lifetime', cell: (config) => (config.refreshTokenTtlSeconds === undefined ? notConfigured : formatSeconds(config.refreshTokenTtlSeconds)) },
  {
    topic: 'Session timeouts',
    cell: (config) =>
      config.sessionIdleSeconds === undefined || config.sessionAbsoluteSeconds === undefined
        ? notConfigured
        : `idle ${formatSeconds(config.sessionIdleSeconds)}, absolute ${formatSeconds(config.sessionAbsoluteSeconds)}`,
  },
  { topic: 'Revocation check on each request', cell: (config) => (config.revocationCheck === undefined ? notConfigured : config.revocationCheck ? 'on' : 'off') },
  { topic: 'CSRF token header', cell: (config) => config.csrfHeader ?? 'none' },
];

const hostOf = (url: string) => new URL(url).host;

export interface ModeComparisonProps {
  /** The APIs the app knows and their live configuration. */
  columns: readonly MatrixColumn[];
  /** The lab's experiments; null in a build without the lab, undefined while it loads. */
  experiments: readonly LabExperimentInfo[] | null | undefined;
}

/**
 * The modes side by side, every cell from data: each API's GET /api/config, the lab's results in
 * this tab (a claim the lab has not measured yet says so), and the benchmark's committed figures.
 */
export function ModeComparison({ columns, experiments }: ModeComparisonProps) {
  const records = useSyncExternalStore(labResults.subscribe, labResults.snapshot);
  const labRows = experiments ? buildMatrix(experiments, columns, records) : [];
  return (
    <section aria-labelledby="comparison-heading" className="card stack">
      <h2 id="comparison-heading">The modes side by side</h2>
      <p className="muted">
        Settings from each API’s <code>GET /api/config</code>;{' '}
        {experiments === null ? 'the evidence lab is not part of this build (VITE_LAB), so nothing is measured here.' : 'results from the evidence lab in this tab.'}
      </p>
      <div className="table-scroll">
        <table className="comparison" aria-labelledby="comparison-heading">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Topic</span>
              </th>
              {columns.map((column) => (
                <th key={column.url} scope="col">
                  {column.config.authMode} <span className="muted">{hostOf(column.url)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {configRows.map((row) => (
              <tr key={row.topic}>
                <th scope="row">{row.topic}</th>
                {columns.map((column) => (
                  <td key={column.url}>{row.cell(column.config)}</td>
                ))}
              </tr>
            ))}
            {labRows.map(({ experiment, cells }) => (
              <tr key={experiment.id}>
                <th scope="row">Lab: {experiment.title}</th>
                {cells.map((cell, index) => {
                  const { verdict, text } = describeCell(cell);
                  return (
                    <td key={columns[index]!.url} title={cell.state === 'result' ? cell.record.summary : undefined}>
                      <span className={`verdict verdict-${verdict}`}>{text}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
            {experiments === undefined && (
              <tr>
                <th scope="row">Lab results</th>
                <td colSpan={Math.max(1, columns.length)}>loading the lab…</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <BenchSeedsTable />
    </section>
  );
}
