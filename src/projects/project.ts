import type { Environment } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";

/** A Gatehouse project: the tenant of the API, with its own keys, redirect URLs, settings and data. */
export interface Project {
  readonly project_id: string;
  readonly name: string;
  readonly environment: Environment;
  readonly public_token: string;
  readonly settings: ProjectSettings;
  readonly created_at: number;
}

export type RedirectUrlType = "login" | "signup" | "invite" | "reset_password" | "discovery";
export const REDIRECT_URL_TYPES: readonly RedirectUrlType[] = [
  "login",
  "signup",
  "invite",
  "reset_password",
  "discovery",
];

export interface RedirectUrl {
  readonly url: string;
  readonly type: RedirectUrlType;
  readonly is_default: boolean;
}

/**
 * Per-project settings (Stytch keeps these in its dashboard). Defaults follow Stytch's, with the reasons for
 * each security number in docs/decisions.md.
 */
export interface ProjectSettings {
  readonly password_policy: PasswordPolicy;
  readonly lockout: LockoutPolicy;
  /**
   * Stytch's "cross-org passwords": a password belongs to the person (the normalised email address) in every
   * organization of the project, not to one member (src/passwords/shared-password.ts). Off by default; it
   * can only be turned on while no member has a password (Stytch's rule, ProjectsService.updateSettings).
   */
  readonly cross_org_passwords: boolean;
}

export interface PasswordPolicy {
  /** zxcvbn: valid iff score >= 3 (Stytch's default). luds: length + character classes (opt-in). */
  readonly strength_policy: "zxcvbn" | "luds";
  readonly luds_min_password_length: number;
  readonly luds_min_password_complexity: number;
  /** Refuse new passwords found in the breached-password list. */
  readonly breach_check_on_create: boolean;
  /** Refuse logins whose (correct) password is in the breached list, forcing a reset. */
  readonly breach_check_on_authentication: boolean;
}

export interface LockoutPolicy {
  /** Consecutive failed password attempts that lock the member (Stytch default 10; NIST caps it at 100). */
  readonly max_failed_attempts: number;
  /** How long a lock lasts (Stytch default 60 minutes). */
  readonly lock_duration_minutes: number;
}

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = Object.freeze({
  password_policy: Object.freeze({
    strength_policy: "zxcvbn",
    luds_min_password_length: 8,
    luds_min_password_complexity: 3,
    breach_check_on_create: true,
    breach_check_on_authentication: true,
  }),
  lockout: Object.freeze({ max_failed_attempts: 10, lock_duration_minutes: 60 }),
  cross_org_passwords: false,
});

/** Fills settings saved by an older version with today's defaults, so new settings never read as undefined. */
export function withDefaultSettings(stored: Partial<ProjectSettings>): ProjectSettings {
  return {
    password_policy: { ...DEFAULT_PROJECT_SETTINGS.password_policy, ...stored.password_policy },
    lockout: { ...DEFAULT_PROJECT_SETTINGS.lockout, ...stored.lockout },
    cross_org_passwords: stored.cross_org_passwords ?? DEFAULT_PROJECT_SETTINGS.cross_org_passwords,
  };
}

/** A change to some settings; what is left out keeps its current value. */
export interface ProjectSettingsUpdate {
  readonly password_policy?: Partial<PasswordPolicy>;
  readonly lockout?: Partial<LockoutPolicy>;
  readonly cross_org_passwords?: boolean;
}

/** Stytch's accepted ranges (docs/stytch-b2b-api.md §7.1, §11); NIST caps consecutive failures at 100. */
export const SETTING_BOUNDS = Object.freeze({
  luds_min_password_length: [8, 32],
  luds_min_password_complexity: [1, 4],
  max_failed_attempts: [1, 100],
  lock_duration_minutes: [5, 10_080],
} as const);

/** Applies an update to settings; throws invalid_request_value for an unknown policy or a value out of range. */
export function updatedSettings(current: ProjectSettings, update: ProjectSettingsUpdate): ProjectSettings {
  const next: ProjectSettings = {
    password_policy: { ...current.password_policy, ...update.password_policy },
    lockout: { ...current.lockout, ...update.lockout },
    cross_org_passwords: update.cross_org_passwords ?? current.cross_org_passwords,
  };
  const { password_policy: pw, lockout } = next;
  if (pw.strength_policy !== "zxcvbn" && pw.strength_policy !== "luds") {
    throw new AuthError("invalid_request_value", { message: 'strength_policy must be "zxcvbn" or "luds".' });
  }
  for (const [key, value] of [
    ["breach_check_on_create", pw.breach_check_on_create],
    ["breach_check_on_authentication", pw.breach_check_on_authentication],
    ["cross_org_passwords", next.cross_org_passwords],
  ] as const) {
    if (typeof value !== "boolean") {
      throw new AuthError("invalid_request_value", { message: `${key} must be true or false.` });
    }
  }
  const numbers = {
    luds_min_password_length: pw.luds_min_password_length,
    luds_min_password_complexity: pw.luds_min_password_complexity,
    max_failed_attempts: lockout.max_failed_attempts,
    lock_duration_minutes: lockout.lock_duration_minutes,
  };
  for (const [key, value] of Object.entries(numbers) as [keyof typeof SETTING_BOUNDS, number][]) {
    const [min, max] = SETTING_BOUNDS[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new AuthError("invalid_request_value", {
        message: `${key} must be an integer from ${min} to ${max}.`,
      });
    }
  }
  return next;
}

/** Stytch's default for new test projects: this URL is registered for every type and is the default of each. */
export const DEFAULT_REDIRECT_URL = "http://localhost:3000/authenticate";
