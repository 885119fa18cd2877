import type { AuthMode } from '@authbench/contract';
import type { Test } from 'supertest';
import type { TestClient } from './test-client';

export type TokenMode = Extract<AuthMode, 'jwt' | 'jwt-cookie'>;
export const tokenModes: readonly TokenMode[] = ['jwt', 'jwt-cookie'];

/** How each token mode carries the access token: where a test reads it from, and how it presents one. */
export const accessTokenCarrier: Record<TokenMode, { of(client: TestClient): string | undefined; present(test: Test, token: string): Test }> = {
  jwt: {
    of: (client) => client.state.accessToken,
    present: (test, token) => test.set('Authorization', `Bearer ${token}`),
  },
  'jwt-cookie': {
    of: (client) => client.cookie('at'),
    present: (test, token) => test.set('Cookie', `at=${token}`),
  },
};
