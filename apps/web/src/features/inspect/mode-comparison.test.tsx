// @vitest-environment jsdom
import type { ConfigResponse } from '@authbench/contract';
import { cleanup, render, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { configKeyOf, labResults } from '../../lib/lab-results';
import { ModeComparison } from './mode-comparison';
import { sameOrigin } from '../../test/deployment';

afterEach(() => {
  cleanup();
  labResults.clear();
});

const cookie = { purpose: 'x', httpOnly: true, secure: false, path: '/', maxAgeSeconds: 60, partitioned: false } as const;
const session: ConfigResponse = {
  authMode: 'session',
  deployment: sameOrigin,
  sessionIdleSeconds: 1800,
  sessionAbsoluteSeconds: 43_200,
  csrfHeader: 'X-CSRF-Token',
  cookies: [{ ...cookie, name: 'sid', sameSite: 'lax' }],
};
const jwt: ConfigResponse = {
  authMode: 'jwt',
  deployment: sameOrigin,
  accessTokenTtlSeconds: 300,
  refreshTokenTtlSeconds: 604_800,
  revocationCheck: false,
  cookies: [{ ...cookie, name: 'rt', sameSite: 'strict', path: '/api/auth' }],
};
const columns = [
  { url: 'http://session.test', config: session },
  { url: 'http://jwt.test', config: jwt },
];
const experiments = [{ id: 'refresh', title: 'Refresh-token replay', appliesTo: (config: ConfigResponse) => config.refreshTokenTtlSeconds !== undefined }];

const row = (table: HTMLElement, name: RegExp) => within(table).getByRole('row', { name });
const comparison = (view: ReturnType<typeof render>) => view.getByRole('table', { name: 'The modes side by side' });

describe('the modes side by side', () => {
  it('fills every cell from the APIs’ configuration, and says what the lab has not measured', () => {
    const view = render(<ModeComparison columns={columns} experiments={experiments} />);
    const table = comparison(view);
    expect(row(table, /^Access token lifetime/).textContent).toBe('Access token lifetimenot in this API’s configuration5 min');
    expect(row(table, /^Session timeouts/).textContent).toContain('idle 30 min, absolute 12 h');
    expect(row(table, /^Revocation check/).textContent).toContain('off');
    expect(row(table, /^Credential/).textContent).toContain('cookie sid (HttpOnly, SameSite=Lax, Path=/)');
    expect(row(table, /^Lab: Refresh-token replay/).textContent).toBe('Lab: Refresh-token replaynot applicablenot measured yet');
  });

  it('shows a lab result as soon as it is in, and changes with the configuration', () => {
    labResults.set({
      experimentId: 'refresh',
      url: 'http://jwt.test',
      mode: 'jwt',
      configKey: configKeyOf(jwt),
      verdict: 'held',
      summary: 'Held.',
      figure: 'family revoked',
      startedAt: 0,
      durationMs: 1,
      evidence: [],
    });
    const view = render(<ModeComparison columns={columns} experiments={experiments} />);
    expect(row(comparison(view), /^Lab:/).textContent).toContain('held: family revoked');

    const changed = [columns[0]!, { url: 'http://jwt.test', config: { ...jwt, accessTokenTtlSeconds: 60 } }];
    view.rerender(<ModeComparison columns={changed} experiments={experiments} />);
    expect(row(comparison(view), /^Access token lifetime/).textContent).toContain('60 s');
    expect(row(comparison(view), /^Lab:/).textContent).toContain('not measured under the current settings');
  });

  it('says so when the lab is not part of the build', () => {
    const view = render(<ModeComparison columns={columns} experiments={null} />);
    expect(view.getByText(/the evidence lab is not part of this build/)).toBeTruthy();
    expect(within(comparison(view)).queryByRole('row', { name: /^Lab:/ })).toBeNull();
  });

  it('sets the articles’ claims against the benchmark’s committed figures beside the live settings', () => {
    const view = render(<ModeComparison columns={columns} experiments={null} />);
    const seeds = view.getByRole('table', { name: 'The articles’ claims, against the benchmark' });
    expect(within(seeds).getByRole('row', { name: /^Scalability/ })).toBeTruthy();
  });
});
