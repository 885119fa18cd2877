import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropNamespaces, newNamespace, sharedStores, type SharedStores } from '../../support/namespaces';
import { givenSecrets, leaksOfNamespace } from '../../support/redis-values';
import { createTestKey, keysEnv } from '../../support/tokens';

export interface ClusterSetup {
  namespace: string;
  dataDir: string;
  /** The environment every API process of this setup shares: stores, namespace and secrets. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * What several API processes need to behave as one: the same stores (the shared PostgreSQL and
 * Redis unless `stores` says otherwise), one fresh namespace in them, and the same secrets.
 */
export async function createClusterSetup(stores: Partial<SharedStores> = {}): Promise<ClusterSetup> {
  const shared = sharedStores();
  const databaseUrl = stores.databaseUrl ?? shared.databaseUrl;
  const redisUrl = stores.redisUrl ?? shared.redisUrl;
  const namespace = newNamespace();
  const sessionSecret = randomBytes(32).toString('base64url');
  const jwtPrivateKeys = keysEnv(createTestKey());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'authbench-cluster-'));
  return {
    namespace,
    dataDir,
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      STORE_NAMESPACE: namespace,
      DATA_DIR: dataDir,
      SESSION_SECRET: sessionSecret,
      JWT_PRIVATE_KEYS: jwtPrivateKeys,
      // info: the process reports its port in its "listening" line.
      LOG_LEVEL: 'info',
    },
    async cleanup() {
      // Through the shared stores: a fault test's own Redis is gone by now, its keys with it.
      const leaks = await leaksOfNamespace(shared, namespace, givenSecrets([sessionSecret], jwtPrivateKeys));
      await dropNamespaces({ databaseUrl: shared.databaseUrl, redisUrl: shared.redisUrl }, [namespace]);
      await rm(dataDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`Redis values that hold what they should not:\n${leaks.join('\n')}`);
    },
  };
}
