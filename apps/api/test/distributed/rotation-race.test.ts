import { ErrorBody } from '@authbench/contract';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { tokenModes } from '../support/access-token';
import { sharedStores } from '../support/namespaces';
import { useTestApp } from '../support/test-app';
import { decodeParts } from '../support/tokens';

// On PostgreSQL, a refresh and a revocation of the same family run in separate transactions of
// separate connections (separate processes, even): the rotation must see a revocation that
// commits while it waits, and mint nothing for a family that is revoked.
describe.each(tokenModes)('a refresh racing a revocation on PostgreSQL, in %s mode', (mode) => {
  const t = useTestApp(mode);

  it('waits for the revocation holding the family, then refuses to mint a token for it', async () => {
    const { client } = await t.newUser();
    const sid = String(decodeParts(client.state.accessToken ?? client.cookie('at')!).payload.sid);
    const revoker = new pg.Client({ connectionString: sharedStores().databaseUrl, options: `-c search_path=${t.namespace}` });
    await revoker.connect();
    try {
      await revoker.query('begin');
      const locked = await revoker.query('update refresh_families set revoked_at = now() where id = $1', [sid]);
      expect(locked.rowCount).toBe(1);
      await client.ready();
      const refreshing = client.refresh();
      await new Promise((resolve) => setTimeout(resolve, 300)); // the refresh is now waiting on the family's row
      await revoker.query('commit');
      const refreshed = await refreshing;
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(401);
      expect(ErrorBody.parse(refreshed.body).error.code).toBe('token_invalid');
    } finally {
      await revoker.end();
    }
  });
});
