// @vitest-environment jsdom
import type { ConfigResponse } from '@authbench/contract';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LabPage } from './lab-page';
import { sameOrigin } from '../../test/deployment';

afterEach(cleanup);

const session: ConfigResponse = {
  authMode: 'session',
  deployment: sameOrigin,
  sessionIdleSeconds: 1800,
  sessionAbsoluteSeconds: 43_200,
  csrfHeader: 'X-CSRF-Token',
  cookies: [{ name: 'sid', purpose: 'x', httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAgeSeconds: 60, partitioned: false }],
};

const renderLab = (pending: number) =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <LabPage targets={[{ url: 'http://session.test', config: session }]} unreachable={[]} pending={pending} currentUrl="http://elsewhere.test" attackerUrl="http://attacker.test" />
    </QueryClientProvider>,
  );

describe('Run in every mode', () => {
  it('waits for every API to answer, so that none is left out of the matrix', () => {
    const button = renderLab(1).getByRole('button', { name: /^Run in every mode/ });
    expect(button).toHaveProperty('disabled', true);
    expect(button.textContent).toBe('Run in every mode (waiting for 1 more API)');
  });

  it('runs once every API has answered', () => {
    const button = renderLab(0).getByRole('button', { name: /^Run in every mode/ });
    expect(button).toHaveProperty('disabled', false);
    expect(button.textContent).toBe('Run in every mode (1 API)');
  });
});
