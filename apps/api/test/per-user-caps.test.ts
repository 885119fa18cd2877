import { randomBytes } from 'node:crypto';
import { authModes, modeTraits, paths, SessionsResponse, type AuthMode } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { maxLoginsPerUser } from '../src/auth/token-strategy';
import { maxSessionsPerUser } from '../src/storage/session-store';
import { useTestApp, type TestApp } from './support/test-app';

const token = () => randomBytes(16).toString('base64url');

/** Logins of the user put straight into the store, a second apart, oldest first, as a flood of logins would leave them. */
async function seedLogins(t: TestApp, userId: string, count: number) {
  for (let i = 0; i < count; i++) {
    t.clock.advance(1000);
    const at = t.clock.now();
    if (modeTraits[t.mode].refreshToken) {
      await t.app.storage.refreshTokens.createFamily({
        familyId: token().slice(0, 22),
        userId,
        userAgent: `seeded ${i}`,
        tokenHash: token(),
        tokenExpiresAt: new Date(at + 86_400_000),
        absoluteExpiresAt: new Date(at + 30 * 86_400_000),
        now: new Date(at),
      });
    } else {
      const data = { cookie: { originalMaxAge: null }, userId, createdAt: at, lastSeenAt: at, absoluteExpiresAt: at + 43_200_000, userAgent: `seeded ${i}` };
      await new Promise<void>((resolve, reject) => t.app.storage.sessions.set(token(), data, (err) => (err ? reject(err as Error) : resolve())));
    }
  }
}

const caps: Record<AuthMode, number> = { session: maxSessionsPerUser, jwt: maxLoginsPerUser, 'jwt-cookie': maxLoginsPerUser, 'jwt-dpop': maxLoginsPerUser };

describe.each(authModes)('what one user can accumulate in %s mode', (mode) => {
  const t = useTestApp(mode);

  it('is capped: a login beyond the cap ends the oldest, and the new one works', async () => {
    const cap = caps[mode];
    const user = await t.newUser();
    const { user: me } = (await user.client.me()).body as { user: { id: string } };
    await seedLogins(t, me.id, cap);
    const newest = t.client({ userAgent: 'the newest' });
    expect((await newest.login({ email: user.email, password: user.password })).status).toBe(200);
    const { sessions } = SessionsResponse.parse((await newest.get(paths.sessions)).body);
    expect(sessions).toHaveLength(cap);
    expect(sessions.find((s) => s.current)?.userAgent).toBe('the newest');
    // The oldest went first (for sessions: the least recently used, closest to their idle end):
    // the registration's own login, then seeded 0.
    const agents = sessions.map((s) => s.userAgent);
    expect(agents).not.toContain('seeded 0');
    expect(agents).toContain(`seeded ${cap - 1}`);
    expect((await newest.me()).status).toBe(200);
  });
});
