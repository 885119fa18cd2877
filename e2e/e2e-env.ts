// Where the e2e servers listen. The SPA and the APIs share the site `localhost`; the attacker
// serves from 127.0.0.1, which a browser treats as another site.
export const spaUrl = 'http://localhost:4173';
export const attackerUrl = 'http://127.0.0.1:4174';
export const apiUrls = { session: 'http://localhost:4100', jwt: 'http://localhost:4101' } as const;
export type Mode = keyof typeof apiUrls;
/** The jwt API's access-token lifetime: short, so expiry happens during the tests. */
export const accessTokenTtlSeconds = 3;
export const apiChoiceKey = 'authbench.apiUrl';
