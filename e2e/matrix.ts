import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modeTraits } from '@authbench/contract';
import type { Topology } from '@authbench/edge/topologies';
import type { Mode } from './e2e-env';

// The deployment matrix (run-matrix.mjs): every mode × topology × third-party cookie setting ×
// browser. What each cell must find is predicted here from the browsers' rules, as checked on
// this machine (Chromium 156, Firefox ESR 153): the spec then proves the prediction in the browser.

export const engines = ['chromium', 'firefox'] as const;
export type Engine = (typeof engines)[number];
/**
 * allowed: Chromium with a profile that allows third-party cookies (cookie_controls_mode 0);
 *          Firefox's default, Total Cookie Protection (third-party cookies kept per top-level site).
 * blocked: Chromium as Playwright launches it (third-party cookies blocked, Partitioned ones let through);
 *          Firefox with network.cookie.cookieBehavior=1 (every third-party cookie blocked).
 */
export const cookieSettings = ['allowed', 'blocked'] as const;
export type CookieSetting = (typeof cookieSettings)[number];

export interface MatrixOptions {
  engine: Engine;
  thirdPartyCookies: CookieSetting;
}

export interface Layout {
  topology: Topology;
  partitioned: boolean;
}

/** Whether the browser sends the API's cookies back to it from the SPA's page. */
export function cookiesComeBack({ topology, partitioned }: Layout, engine: Engine, setting: CookieSetting): boolean {
  // First-party (same origin, or one site): no third-party cookie setting applies.
  if (topology !== 'cross-site') return true;
  if (setting === 'allowed') return true;
  // Chromium blocking third-party cookies still sends Partitioned (CHIPS) ones; Firefox blocking all sends neither.
  return partitioned && engine === 'chromium';
}

export const steps = ['login', 'reload', 'refresh', 'logout', 'revocation'] as const;
export type Step = (typeof steps)[number];
export type Outcome = 'works' | 'fails' | 'n/a';

/** What each step does when the cookies come back, and when they do not. */
export function expectedOutcomes(mode: Mode, cookies: boolean): Record<Step, Outcome> {
  const refresh: Outcome = modeTraits[mode].refreshToken ? (cookies ? 'works' : 'fails') : 'n/a';
  if (cookies) return { login: 'works', reload: 'works', refresh, logout: 'works', revocation: 'works' };
  // The modes with CSRF tokens cannot log in at all: the token is bound to a cookie (`csrf`) that
  // never comes back. jwt mode logs in (the token is in the body) but its refresh cookie is lost.
  if (modeTraits[mode].csrf) return { login: 'fails', reload: 'n/a', refresh: 'n/a', logout: 'n/a', revocation: 'n/a' };
  return { login: 'works', reload: 'fails', refresh, logout: 'works', revocation: 'works' };
}

export interface CellResult {
  topology: Topology;
  partitioned: boolean;
  mode: Mode;
  engine: Engine;
  thirdPartyCookies: CookieSetting;
  outcomes: Record<Step, Outcome>;
  /** What the person saw where a step failed: the app's words. */
  messages: Partial<Record<Step, string>>;
  /** What the lab's panel said of the topology and the cookie setting. */
  lab: { topology: string; cookieSetting: string };
}

export function writeCell(folder: string, result: CellResult): void {
  mkdirSync(folder, { recursive: true });
  const name = `${result.topology}${result.partitioned ? '-partitioned' : ''}-${result.engine}-${result.thirdPartyCookies}-${result.mode}.json`;
  writeFileSync(join(folder, name), `${JSON.stringify(result, null, 2)}\n`);
}

