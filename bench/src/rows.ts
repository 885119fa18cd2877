import type { AuthMode } from '@authbench/contract';

export type RowName = 'baseline' | 'session-embedded' | 'session-redis' | 'jwt-embedded' | 'jwt-redis' | 'jwt-check-off' | 'jwt-embedded-cold';

/** One server process of the bench: an API configuration, measured beside its own baseline. */
export interface ServerDef {
  name: Exclude<RowName, 'baseline' | 'jwt-embedded-cold'>;
  mode: AuthMode;
  store: 'embedded' | 'redis';
  revocationCheck: boolean;
  description: string;
  /** Target ratio to the baseline (issue 5). */
  target: number;
  /** Further rows measured in the same process. */
  extraRows?: { name: 'jwt-embedded-cold'; description: string }[];
}

export const serverDefs: ServerDef[] = [
  {
    name: 'session-embedded',
    mode: 'session',
    store: 'embedded',
    revocationCheck: true,
    description: 'express-session, sessions in the embedded database (PGlite)',
    target: 0.6,
  },
  {
    name: 'session-redis',
    mode: 'session',
    store: 'redis',
    revocationCheck: true,
    description: 'express-session, sessions in Redis (REDIS_URL), users in PostgreSQL (DATABASE_URL)',
    target: 0.6,
  },
  {
    name: 'jwt-embedded',
    mode: 'jwt',
    store: 'embedded',
    revocationCheck: true,
    description: 'ES256 Bearer token, revocation check on (embedded list), users in PGlite',
    target: 0.85,
    extraRows: [
      {
        name: 'jwt-embedded-cold',
        description: 'as jwt-embedded, but every request carries a token this process has not verified yet (cache miss)',
      },
    ],
  },
  {
    name: 'jwt-redis',
    mode: 'jwt',
    store: 'redis',
    revocationCheck: true,
    description: 'ES256 Bearer token, revocation check on (Redis), users in PostgreSQL',
    target: 0.85,
  },
  {
    name: 'jwt-check-off',
    mode: 'jwt',
    store: 'embedded',
    revocationCheck: false,
    description: 'ES256 Bearer token, JWT_REVOCATION_CHECK=off, users in PGlite',
    target: 0.9,
  },
];

/** The row names of the results, in the table's order. */
export const rowOrder: RowName[] = ['baseline', 'session-embedded', 'session-redis', 'jwt-embedded', 'jwt-redis', 'jwt-check-off', 'jwt-embedded-cold'];
