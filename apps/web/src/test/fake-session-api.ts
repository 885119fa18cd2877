import { paths } from '@authbench/contract';
import { createFakeAdapter, createGate, errorReply, type FakeReply } from './fake-server';
import { sameOrigin } from './deployment';

interface FakeUser {
  id: string;
  email: string;
  name: string;
  password: string;
  createdAt: string;
}

interface FakeSession {
  id: string;
  userId: string | null;
  csrfToken: string;
  createdAt: string;
}

/**
 * A small session-mode API for UI tests: one cookie jar shared by every "tab", real CSRF and
 * session rules, and a gate to hold GET /api/me open (to catch protected content flashing).
 */
export function createFakeSessionApi() {
  const users: FakeUser[] = [
    { id: 'u1', email: 'ada@example.test', name: 'Ada', password: 'correct horse', createdAt: '2026-01-01T00:00:00.000Z' },
  ];
  const sessions = new Map<string, FakeSession>();
  const jar: { sid: string | null } = { sid: null };
  let next = 0;
  const meGate = createGate();

  const publicUser = ({ password: _password, ...user }: FakeUser) => user;
  const newSession = (userId: string | null): FakeSession => {
    const session = { id: `s${++next}`, userId, csrfToken: `csrf${next}`, createdAt: new Date().toISOString() };
    sessions.set(session.id, session);
    jar.sid = session.id;
    return session;
  };
  const current = () => (jar.sid ? sessions.get(jar.sid) : undefined);

  const fake = createFakeAdapter(async (request): Promise<FakeReply> => {
    const session = request.withCredentials ? current() : undefined;
    const user = users.find((candidate) => candidate.id === session?.userId);
    if (request.method !== 'GET' && request.path !== paths.config) {
      if (!session || request.csrf !== session.csrfToken) return errorReply(403, 'csrf_failed');
    }
    switch (`${request.method} ${request.path}`) {
      case `GET ${paths.config}`:
        return { status: 200, body: { authMode: 'session', cookies: [], deployment: sameOrigin } };
      case `GET ${paths.csrf}`:
        return { status: 200, body: { csrfToken: (session ?? newSession(null)).csrfToken } };
      case `POST ${paths.login}`: {
        const { email, password } = request.body as { email: string; password: string };
        const found = users.find((candidate) => candidate.email === email && candidate.password === password);
        if (!found) return errorReply(401, 'invalid_credentials');
        if (session) sessions.delete(session.id);
        const fresh = newSession(found.id);
        return { status: 200, body: { user: publicUser(found), csrfToken: fresh.csrfToken } };
      }
      case `POST ${paths.register}`: {
        const { email, password, name } = request.body as { email: string; password: string; name: string };
        if (password.length < 8) {
          return errorReply(400, 'validation_failed', {
            details: { issues: [{ path: 'password', message: 'At least 8 characters.' }] },
          });
        }
        if (users.some((candidate) => candidate.email === email)) return errorReply(409, 'email_taken');
        const created = { id: `u${users.length + 1}`, email, name, password, createdAt: new Date().toISOString() };
        users.push(created);
        const fresh = newSession(created.id);
        return { status: 201, body: { user: publicUser(created), csrfToken: fresh.csrfToken } };
      }
      case `POST ${paths.logout}`:
        if (session) sessions.delete(session.id);
        jar.sid = null;
        return { status: 204 };
      case `GET ${paths.me}`:
        await meGate.passed();
        return user ? { status: 200, body: { user: publicUser(user) } } : errorReply(401, 'unauthenticated');
      case `PATCH ${paths.me}`: {
        if (!user) return errorReply(401, 'unauthenticated');
        user.name = (request.body as { name: string }).name.trim();
        return { status: 200, body: { user: publicUser(user) } };
      }
      case `GET ${paths.sessions}`: {
        if (!user) return errorReply(401, 'unauthenticated');
        const mine = [...sessions.values()].filter((candidate) => candidate.userId === user.id);
        return {
          status: 200,
          body: {
            sessions: mine.map((candidate) => ({
              id: candidate.id,
              createdAt: candidate.createdAt,
              lastSeenAt: candidate.createdAt,
              expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
              userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
              current: candidate.id === session?.id,
            })),
          },
        };
      }
      default:
        return errorReply(404, 'not_found');
    }
  });

  return {
    adapter: fake.adapter,
    calls: fake.calls,
    jar,
    sessions,
    /** The cookie of a login sits in the jar. */
    holdsLogin: () => Boolean(jar.sid && sessions.get(jar.sid)?.userId),
    /** Holds GET /api/me until the returned function is called. */
    holdMe: meGate.hold,
    /** Logs in behind the SPA's back, as another tab (sharing the cookie jar) would. */
    loginElsewhere(userId = 'u1') {
      newSession(userId);
    },
  };
}
