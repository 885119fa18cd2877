import type { DpopKeyStore, KeyPersistence } from '../api/dpop-key-store';
import type { DpopKey } from '../api/dpop-proof';

/**
 * The browser's IndexedDB as the key store sees it, shared by every "tab" and "page load" of a
 * test. `refuse` plays a private window whose IndexedDB cannot hold a CryptoKey (DataCloneError).
 */
export function createFakeKeyStore({ refuse = false }: { refuse?: boolean } = {}) {
  const kept = new Map<string, DpopKey>();
  const where: KeyPersistence = { where: 'indexeddb', database: 'authbench-dpop', store: 'keys', key: '' };
  const store: DpopKeyStore = {
    load(origin) {
      const key = kept.get(origin);
      return Promise.resolve(key && { key, persistence: { ...where, key: origin } });
    },
    save(origin, key) {
      if (refuse) return Promise.resolve({ where: 'memory', why: 'IndexedDB would not keep the key (DataCloneError: The object could not be cloned.)' });
      kept.set(origin, key);
      return Promise.resolve({ ...where, key: origin });
    },
    remove(origin, jkt) {
      if (kept.get(origin)?.jkt === jkt) kept.delete(origin);
      return Promise.resolve();
    },
  };
  return { store, kept };
}
