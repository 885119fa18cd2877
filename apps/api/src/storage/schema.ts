import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: Timestamp;
  /** One more at every write of the row: what orders two writes for the caches (user-cache.ts). */
  version: Generated<number>;
}

export interface RefreshFamiliesTable {
  id: string;
  user_id: string;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  absolute_expires_at: Timestamp;
  revoked_at: Timestamp | null;
  /** The thumbprint of the key the family is bound to (jwt-dpop mode), else null. */
  jkt: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  rotated_at: Timestamp | null;
}

export interface SessionsTable {
  sid: string;
  public_id: string;
  user_id: string | null;
  data: string;
  expires_at: Timestamp;
}

export interface DevSecretsTable {
  name: string;
  value: string;
  created_at: Timestamp;
}

export interface SecretFingerprintsTable {
  name: string;
  /** A JSON array of hashes. */
  fingerprints: string;
  updated_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  refresh_families: RefreshFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  sessions: SessionsTable;
  dev_secrets: DevSecretsTable;
  secret_fingerprints: SecretFingerprintsTable;
}
