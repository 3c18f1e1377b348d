import { ADMIN_ROLE, DEFAULT_ROLE } from "../members/member.js";

/**
 * The default RBAC policy (Stytch's built-in roles). `stytch_admin` may do everything to its own organization
 * and its members; `stytch_member` may act only on its own member record (resource `stytch.self`). Custom roles
 * are not supported yet; an unknown role grants nothing. Served as-is by GET /v1/b2b/rbac/policy, so the SDK's
 * local authorization checks and the server's agree.
 */
export interface RolePermission {
  readonly resource_id: string;
  readonly actions: readonly string[];
}

export interface Role {
  readonly role_id: string;
  readonly description: string;
  readonly permissions: readonly RolePermission[];
}

export interface Resource {
  readonly resource_id: string;
  readonly description: string;
  readonly actions: readonly string[];
}

/**
 * Stytch's reserved resources, with action names in Stytch's style. The action lists are descriptive only (the
 * built-in roles grant "*"); `revoke-sessions` is the one Gatehouse itself checks (sessions/revoke).
 */
export const STYTCH_RESOURCE_LIST: readonly Resource[] = [
  {
    resource_id: "stytch.organization",
    description: "The organization itself: its profile and settings.",
    actions: [
      "update.info.name",
      "update.info.slug",
      "update.info.logo-url",
      "update.settings.email-jit-provisioning",
      "update.settings.email-invites",
      "update.settings.allowed-domains",
      "update.settings.allowed-auth-methods",
      "update.settings.mfa-policy",
      "delete",
    ],
  },
  {
    resource_id: "stytch.member",
    description: "Any member of the organization.",
    actions: [
      "create",
      "delete",
      "search",
      "update.info.name",
      "update.info.email",
      "update.info.untrusted-metadata",
      "update.info.delete.password",
      "update.settings.is-breakglass",
      "update.settings.roles",
      "revoke-sessions",
    ],
  },
  {
    resource_id: "stytch.self",
    description: "The acting member's own record.",
    actions: [
      "update.info.name",
      "update.info.email",
      "update.info.untrusted-metadata",
      "update.info.delete.password",
      "revoke-sessions",
      "delete",
    ],
  },
  {
    resource_id: "stytch.sso",
    description: "The organization's SSO connections (not offered by Gatehouse yet).",
    actions: ["create", "update", "delete", "get"],
  },
  {
    resource_id: "stytch.scim",
    description: "The organization's SCIM connection (not offered by Gatehouse yet).",
    actions: ["create", "update", "delete", "get", "rotate"],
  },
];

export const STYTCH_RESOURCES = STYTCH_RESOURCE_LIST.map((r) => r.resource_id);

export const DEFAULT_POLICY: readonly Role[] = [
  {
    role_id: ADMIN_ROLE,
    description: "Granted to organization creators; may manage the organization and all its members.",
    permissions: STYTCH_RESOURCES.map((resource_id) => ({ resource_id, actions: ["*"] })),
  },
  {
    role_id: DEFAULT_ROLE,
    description: "Held by every member; may manage only its own member record.",
    permissions: [{ resource_id: "stytch.self", actions: ["*"] }],
  },
];

/** True for a role the policy defines (roles assigned to members must be one of these). */
export function isKnownRole(role: string): boolean {
  return DEFAULT_POLICY.some((r) => r.role_id === role);
}

/** The roles among `roles` that grant `action` on `resource` (empty: not allowed). */
export function grantingRoles(roles: readonly string[], resource: string, action: string): string[] {
  return DEFAULT_POLICY.filter(
    (role) =>
      roles.includes(role.role_id) &&
      role.permissions.some(
        (p) => p.resource_id === resource && (p.actions.includes("*") || p.actions.includes(action)),
      ),
  ).map((role) => role.role_id);
}
