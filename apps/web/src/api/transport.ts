import type { AuthMode, ConfigResponse, ErrorCode, User } from '@authbench/contract';
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import type { DpopKeyStore, KeyPersistence } from './dpop-key-store';
import type { PublicJwk } from './dpop-proof';
import type { OpenChannel } from './open-broadcast-channel';

/** Per-request flags that the transports set and read; never sent on the wire. */
export interface RequestFlags {
  /** A transport call (CSRF fetch, refresh) that must not carry or repair credentials itself. */
  bare?: boolean;
  /** Already retried after a refresh: a second `token_expired` is surfaced, never looped. */
  retriedAfterRefresh?: boolean;
  /** Already retried with a fresh CSRF token. */
  retriedAfterCsrf?: boolean;
  /** Already retried with the nonce a `use_dpop_nonce` answer gave. */
  retriedAfterNonce?: boolean;
  /** jwt-dpop: the thumbprint of the new key a login or register attempt proved, so its retry proves the same one. */
  proofKey?: string;
  /**
   * jwt-cookie: which `at` cookie the request went out with, as the count of renewals this tab
   * knows of (script cannot read the cookie itself).
   */
  sentWithRenewal?: number;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    authbench?: RequestFlags;
  }
}

/** The subset of `navigator.locks` we use, so tests can share one between two "tabs". */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** What the browser holds for this mode, as far as JavaScript can see it (for /inspect). */
export type CredentialSnapshot =
  | { mode: 'session'; csrfToken: string | null }
  | { mode: 'jwt'; accessToken: string | null; receivedAt: number | null; expiresIn: number | null }
  | {
      mode: 'jwt-cookie';
      /** The only credential script holds in this mode: the access token is an HttpOnly cookie. */
      csrfToken: string | null;
      /** When this tab last learned of a new `at` cookie (login, or a refresh here or in another tab). */
      receivedAt: number | null;
      expiresIn: number | null;
    }
  | {
      mode: 'jwt-dpop';
      /** In memory, as in jwt mode: script can read it, but it is worth nothing without the key. */
      accessToken: string | null;
      receivedAt: number | null;
      expiresIn: number | null;
      dpop: DpopSnapshot;
    };

/** jwt-dpop: the key this tab proves its login with, and the API's last nonce. */
export interface DpopSnapshot {
  /** Null until a login (or a reload finds the key of one); its persistence null while it is being saved. */
  key: { jkt: string; jwk: PublicJwk; persistence: KeyPersistence | null } | null;
  nonce: string | null;
}

export interface TransportEvents {
  /**
   * The server has ended the session (e.g. the refresh failed): the app must log out. `code`:
   * the refusal's (`unauthenticated` on a refresh: no refresh cookie arrived at all).
   */
  sessionEnded(code?: ErrorCode): void;
  /** The in-memory credential changed; /inspect re-renders. */
  credentialsChanged(): void;
}

export interface TransportDeps {
  baseUrl: string;
  config: ConfigResponse;
  http: AxiosInstance;
  events: TransportEvents;
  locks: LockManagerLike | undefined;
  openChannel: OpenChannel;
  /** jwt-dpop: where the login's key is kept (IndexedDB in a browser). */
  keyStore: DpopKeyStore;
  now: () => number;
}

/** Everything that differs between the modes on the client, and nothing else. */
export interface Transport {
  readonly mode: AuthMode;
  /** Takes the credential out of a login or register response; returns the user (once what must outlive a reload is kept). */
  acceptLogin(data: unknown): User | Promise<User>;
  /** Forgets the in-memory credential (logout, session ended, another tab logged out). */
  signedOut(): void;
  /** Another tab logged in: credentials cached here may belong to the previous session. */
  resync(): void;
  credentials(): CredentialSnapshot;
  dispose(): void;
}

export type TransportFactory = (deps: TransportDeps) => Transport;

export const pathOf = (config: Pick<InternalAxiosRequestConfig, 'url'>): string =>
  (config.url ?? '').split('?')[0] ?? '';

export const isUnsafeMethod = (method: string | undefined): boolean =>
  !['get', 'head', 'options'].includes((method ?? 'get').toLowerCase());
