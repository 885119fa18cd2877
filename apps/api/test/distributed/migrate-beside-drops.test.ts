import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/storage/database';
import { dropNamespaces, newNamespace, sharedStores } from '../support/namespaces';

/**
 * Several namespaces share one PostgreSQL database (tests, or deployments that set
 * STORE_NAMESPACE): one process starting must not depend on what happens in another's schema.
 */
describe('migrating a namespace in a shared database', () => {
  const stores = sharedStores();
  const made: string[] = [];
  afterAll(() => dropNamespaces(stores, made));

  it('succeeds while other namespaces are created and dropped beside it', async () => {
    const admin = new pg.Client({ connectionString: stores.databaseUrl });
    await admin.connect();
    let migrating = true;
    // Bounded churn: schemas with a table and a serial column, each dropped right after it is made.
    const churn = async () => {
      for (let i = 0; i < 400 && migrating; i++) {
        const other = newNamespace();
        made.push(other);
        await admin.query(`create schema "${other}"; create table "${other}".t (id serial primary key, v text)`);
        await admin.query(`drop schema "${other}" cascade`);
      }
    };
    const migrations = async () => {
      try {
        for (let i = 0; i < 12; i++) {
          const schema = newNamespace();
          made.push(schema);
          const db: Db = await openDatabase({ dataDir: '.', databaseUrl: stores.databaseUrl, schema });
          await db.destroy();
        }
      } finally {
        migrating = false;
      }
    };
    try {
      await Promise.all([churn(), churn(), migrations()]);
    } finally {
      await admin.end();
    }
    expect(migrating).toBe(false);
  });

  it("finds its own tables, and no other namespace's, when it looks before migrating", async () => {
    const [first, second] = [newNamespace(), newNamespace()];
    made.push(first, second);
    const dbs = await Promise.all([first, second].map((schema) => openDatabase({ dataDir: '.', databaseUrl: stores.databaseUrl, schema })));
    try {
      const tables = await dbs[0]!.introspection.getTables({ withInternalKyselyTables: true });
      expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([first]));
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['kysely_migration', 'kysely_migration_lock', 'users']));
      const users = tables.find((t) => t.name === 'users')!;
      expect(users.columns.map((c) => c.name)).toContain('email');
      const withoutKysely = await dbs[0]!.introspection.getTables();
      expect(withoutKysely.map((t) => t.name)).not.toContain('kysely_migration');
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });
});
