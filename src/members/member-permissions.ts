import { AuthError } from "../errors/auth-error.js";
import type { UpdateMemberInput } from "./member-update.js";

/**
 * RBAC actions of the member routes when a member session authorizes the request ("hdr" routes,
 * docs/stytch-b2b-api.md §5.2). `self: true` means the same action on `stytch.self` also grants it when the
 * session's member is the target (Stytch's default policy lists these actions on stytch.self); the others
 * need `stytch.member` even on one's own record, so a member cannot promote itself, mark itself break-glass
 * or re-key its external id.
 */
export interface MemberAction {
  readonly action: string;
  readonly self: boolean;
}

export const MEMBER_ACTIONS = {
  create: { action: "create", self: false },
  delete: { action: "delete", self: true },
  search: { action: "search", self: false },
  deletePassword: { action: "update.info.delete.password", self: true },
  // Not in Stytch's action list [I]: reactivation restores a member, like creating one.
  reactivate: { action: "create", self: false },
  // Not in Stytch's action list [I]: the external id is the app's key for the member, so only managers set it.
  externalId: { action: "update.info.external-id", self: false },
} as const satisfies Record<string, MemberAction>;

/** Per-field actions of members.update; `null`: no member session may supply the field. */
const UPDATE_ACTIONS: Record<keyof UpdateMemberInput, MemberAction | null> = {
  name: { action: "update.info.name", self: true },
  untrusted_metadata: { action: "update.info.untrusted-metadata", self: true },
  mfa_phone_number: { action: "update.info.mfa-phone", self: true },
  mfa_enrolled: { action: "update.settings.mfa-enrolled", self: true },
  default_mfa_method: { action: "update.settings.default-mfa-method", self: true },
  is_breakglass: { action: "update.settings.is-breakglass", self: false },
  roles: { action: "update.settings.roles", self: false },
  email_address: { action: "update.info.email", self: false },
  external_id: MEMBER_ACTIONS.externalId,
  trusted_metadata: null,
  // Modifiers of other fields, checked through them.
  preserve_existing_sessions: { action: "update.settings.roles", self: false },
  unlink_email: { action: "update.info.email", self: false },
};

/**
 * The actions a member session needs for this update. Throws the documented refusals first: trusted metadata
 * is API-key only (cannot_update_trusted_metadata), and no member changes its own email address
 * (member_cannot_update_their_email_address). An update with no fields needs the least action, a name change.
 */
export function updateActions(input: UpdateMemberInput, isSelf: boolean): MemberAction[] {
  const supplied = (Object.keys(UPDATE_ACTIONS) as (keyof UpdateMemberInput)[]).filter(
    (field) => input[field] !== undefined,
  );
  if (supplied.includes("trusted_metadata")) throw new AuthError("cannot_update_trusted_metadata");
  if (isSelf && supplied.includes("email_address")) {
    throw new AuthError("member_cannot_update_their_email_address");
  }
  const actions = new Map<string, MemberAction>();
  for (const field of supplied) {
    const action = UPDATE_ACTIONS[field];
    if (action) actions.set(action.action, action);
  }
  if (actions.size === 0) actions.set("update.info.name", { action: "update.info.name", self: true });
  return [...actions.values()];
}
