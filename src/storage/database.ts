import type { Generated } from "kysely";

/**
 * Row types of every table, as Kysely sees them. Times are epoch milliseconds (INTEGER on SQLite, BIGINT on
 * PostgreSQL, parsed back to numbers in dialects.ts). Booleans are stored as 0/1 integers and JSON as text so
 * that one set of queries serves both engines. Rows never leave storage/: repositories map them to domain types.
 */
export interface Database {
  projects: ProjectTable;
  project_secrets: ProjectSecretTable;
  redirect_urls: RedirectUrlTable;
  signing_keys: SigningKeyTable;
  organizations: OrganizationTable;
  organization_domains: OrganizationDomainTable;
  members: MemberTable;
  email_tokens: EmailTokenTable;
  intermediate_sessions: IntermediateSessionTable;
  sessions: SessionTable;
  email_outbox: EmailOutboxTable;
  rate_limit_counters: RateLimitCounterTable;
}

export interface ProjectTable {
  project_id: string;
  name: string;
  environment: "test" | "live";
  public_token: string;
  /** JSON: ProjectSettings (password policy, lockout, session defaults). */
  settings: string;
  created_at: number;
}

export interface ProjectSecretTable {
  secret_id: string;
  project_id: string;
  /** SHA-256 hex of the secret; the secret itself is shown once, at creation. */
  secret_hash: string;
  last_four: string;
  created_at: number;
}

export interface RedirectUrlTable {
  project_id: string;
  url: string;
  /** login | signup | invite | reset_password | discovery */
  type: string;
  is_default: number;
  created_at: number;
}

export interface SigningKeyTable {
  kid: string;
  project_id: string;
  /** JWK JSON of the RSA private key, sealed with the server key (crypto/server-key.ts). */
  private_jwk: string;
  /** JWK JSON of the public key as published in the JWKS. */
  public_jwk: string;
  created_at: number;
  /** When set, the key no longer signs; it stays in the JWKS until this time + the JWT lifetime. */
  retired_at: number | null;
}

export interface OrganizationTable {
  organization_id: string;
  project_id: string;
  organization_name: string;
  organization_slug: string;
  /** Lower-cased slug: slugs are unique per project regardless of case. */
  slug_key: string;
  organization_logo_url: string;
  organization_external_id: string | null;
  trusted_metadata: string;
  /** JSON: OrganizationSettings (JIT, invites, auth methods, MFA…). */
  settings: string;
  created_at: number;
  updated_at: number;
}

/** Search index of each organization's allowed and claimed email domains (0003); settings JSON is the source. */
export interface OrganizationDomainTable {
  organization_id: string;
  /** allowed (email_allowed_domains) | claimed (claimed_email_domains) */
  kind: string;
  /** Lower-cased domain. */
  domain: string;
}

export interface MemberTable {
  member_id: string;
  project_id: string;
  organization_id: string;
  /** Normalised (trimmed, lower-cased) address: one email is one member per organization. */
  email_address: string;
  email_id: string;
  status: "pending" | "invited" | "active" | "deleted";
  name: string;
  email_address_verified: number;
  is_breakglass: number;
  external_id: string | null;
  /** JSON array of explicitly assigned role ids. */
  roles: string;
  trusted_metadata: string;
  untrusted_metadata: string;
  member_password_id: string | null;
  /** PHC string (argon2id). */
  password_hash: string | null;
  failed_auth_count: number;
  lock_created_at: number | null;
  lock_expires_at: number | null;
  created_at: number;
  updated_at: number;
  /** JSON array of {email_id, email_address}: addresses the member had before an email change (0004). */
  retired_email_addresses: Generated<string>;
}

export interface EmailTokenTable {
  /** SHA-256 hex of the token; the token itself exists only in the email. */
  token_hash: string;
  project_id: string;
  /** magic_link | password_reset | discovery | discovery_password_reset */
  kind: string;
  /** login | signup | invite | reset_password | discovery */
  purpose: string;
  /** Null only for the address-bound kinds (discovery, discovery_password_reset: CHECK in 0002, 0006). */
  organization_id: string | null;
  member_id: string | null;
  email_address: string;
  pkce_challenge: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

/** Intermediate sessions of discovery: an address proven by a factor, not yet a member session. */
export interface IntermediateSessionTable {
  /** SHA-256 hex of the intermediate session token. */
  token_hash: string;
  project_id: string;
  /** Normalised address the factors proved. */
  email_address: string;
  /** JSON array of IntermediateSessionFactor. */
  authentication_factors: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface SessionTable {
  member_session_id: string;
  project_id: string;
  organization_id: string;
  member_id: string;
  /** SHA-256 hex of the opaque session token. */
  token_hash: string;
  /** Random salt the token is derived from with the server key (crypto/session-token.ts). */
  token_salt: string;
  started_at: number;
  last_accessed_at: number;
  expires_at: number;
  /** JSON array of AuthenticationFactor. */
  authentication_factors: string;
  custom_claims: string;
}

export interface EmailOutboxTable {
  id: Generated<number>;
  project_id: string | null;
  to_address: string;
  from_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: number;
}

export interface RateLimitCounterTable {
  bucket: string;
  window_start: number;
  count: number;
}
