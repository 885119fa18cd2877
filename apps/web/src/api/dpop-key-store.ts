import { dpopKeyOf, type DpopKey } from './dpop-proof';

/** Where a login's key is kept: IndexedDB (a reload keeps the login), or this tab's memory only, and why. */
export type KeyPersistence =
  | { where: 'indexeddb'; database: string; store: string; key: string }
  | { where: 'memory'; why: string };

/** A key an earlier login kept, and where it was kept. */
export interface KeptKey {
  key: DpopKey;
  persistence: KeyPersistence;
}

/**
 * The DPoP key of each API origin (the `rt` cookie it proves is per API, so is the key). An
 * interface so that the tests can give two "tabs" or two page loads one store without a browser.
 */
export interface DpopKeyStore {
  /** The key kept for this API origin by an earlier login, here or in another tab. */
  load(origin: string): Promise<KeptKey | undefined>;
  /** Keeps a new login's key; says where it went (memory only, and why, where IndexedDB refuses it). */
  save(origin: string, key: DpopKey): Promise<KeyPersistence>;
  /** Forgets the key, unless a newer login (another tab's) has replaced it meanwhile. */
  remove(origin: string, jkt: string): Promise<void>;
}

export const dpopDatabase = 'authbench-dpop';
export const dpopStore = 'keys';

interface KeyRecord {
  /** The CryptoKey objects themselves: IndexedDB keeps the handle, never the private key's bytes. */
  keys: CryptoKeyPair;
  jkt: string;
  savedAt: number;
}

const isKeyRecord = (value: unknown): value is KeyRecord =>
  typeof value === 'object' && value !== null && 'keys' in value && 'jkt' in value && typeof value.jkt === 'string';

const settle = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });

const done = (transaction: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });

const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** IndexedDB, as the browser offers it to this origin. */
export function createIndexedDbKeyStore(factory: IDBFactory): DpopKeyStore {
  let opening: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(dpopDatabase, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(dpopStore);
      request.onsuccess = () => {
        // Another tab's newer version of the app may need to upgrade: give way, reopen next time.
        request.result.onversionchange = () => {
          request.result.close();
          opening = null;
        };
        resolve(request.result);
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    }).catch((error: unknown) => {
      opening = null;
      throw error;
    });
    return opening;
  };

  return {
    async load(origin) {
      try {
        const db = await open();
        const record: unknown = await settle(db.transaction(dpopStore, 'readonly').objectStore(dpopStore).get(origin));
        if (!isKeyRecord(record)) return undefined;
        return { key: await dpopKeyOf(record.keys), persistence: { where: 'indexeddb', database: dpopDatabase, store: dpopStore, key: origin } };
      } catch {
        return undefined; // nothing kept that this page can use: the login is then this tab's alone
      }
    },
    async save(origin, key) {
      try {
        const db = await open();
        const transaction = db.transaction(dpopStore, 'readwrite');
        const record: KeyRecord = { keys: key.keys, jkt: key.jkt, savedAt: Date.now() };
        // put() throws DataCloneError at once where this browser cannot store a CryptoKey (some
        // private windows): the key then lives in this tab's memory only.
        transaction.objectStore(dpopStore).put(record, origin);
        await done(transaction);
        return { where: 'indexeddb', database: dpopDatabase, store: dpopStore, key: origin };
      } catch (error) {
        return { where: 'memory', why: `IndexedDB would not keep the key (${describeError(error)})` };
      }
    },
    async remove(origin, jkt) {
      try {
        const db = await open();
        const transaction = db.transaction(dpopStore, 'readwrite');
        const store = transaction.objectStore(dpopStore);
        const record: unknown = await settle(store.get(origin));
        if (isKeyRecord(record) && record.jkt === jkt) store.delete(origin);
        await done(transaction);
      } catch {
        // nothing kept, or nothing to keep it in
      }
    },
  };
}

/** A store in this page's memory: where there is no IndexedDB (Node.js, the tests), `why` says so. */
export function createMemoryKeyStore(why = 'this page has no IndexedDB'): DpopKeyStore {
  const keys = new Map<string, DpopKey>();
  return {
    load(origin) {
      const key = keys.get(origin);
      return Promise.resolve(key && { key, persistence: { where: 'memory', why } });
    },
    save(origin, key) {
      keys.set(origin, key);
      return Promise.resolve({ where: 'memory', why });
    },
    remove(origin, jkt) {
      if (keys.get(origin)?.jkt === jkt) keys.delete(origin);
      return Promise.resolve();
    },
  };
}

/** The browser's IndexedDB, else memory (a reload then loses the login, and the app says why). */
export const browserKeyStore = (): DpopKeyStore =>
  typeof indexedDB === 'undefined' ? createMemoryKeyStore() : createIndexedDbKeyStore(indexedDB);
