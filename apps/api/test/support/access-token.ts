import type { AuthMode } from '@authbench/contract';
import type { Test } from 'supertest';
import { holderOf, type TestClient } from './test-client';

export type TokenMode = Extract<AuthMode, 'jwt' | 'jwt-cookie' | 'jwt-dpop'>;
export const tokenModes: readonly TokenMode[] = ['jwt', 'jwt-cookie', 'jwt-dpop'];

/** How each token mode carries the access token: where a test reads it from, and how it presents one. */
export const accessTokenCarrier: Record<TokenMode, { of(client: TestClient): string | undefined; present(test: Test, token: string, holder?: TestClient): Test }> = {
  jwt: {
    of: (client) => client.state.accessToken,
    present: (test, token) => test.set('Authorization', `Bearer ${token}`),
  },
  'jwt-cookie': {
    of: (client) => client.cookie('at'),
    present: (test, token) => test.set('Cookie', `at=${token}`),
  },
  // With a proof by the key of the client that holds the token (`holder`, else the client it was
  // issued to through the test client), and none for a token no client holds (a forged one).
  'jwt-dpop': {
    of: (client) => client.state.accessToken,
    present(test, token, holder) {
      const { method, url } = test as unknown as { method: string; url: string };
      const proof = (holder ?? holderOf(token))?.proofFor(method, url, token);
      return test.set({ Authorization: `DPoP ${token}`, ...(proof && { DPoP: proof }) });
    },
  },
};
