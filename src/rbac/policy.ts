import { ADMIN_ROLE, DEFAULT_ROLE } from "../members/member.js";

/**
 * The default RBAC policy (Stytch's built-in roles). `stytch_admin` may do everything to its own organization
 * and its members; `stytch_member` may act only on its own member record (resource `stytch.self`). Custom roles
 * are not supported yet; an unknown role grants nothing.
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

export const STYTCH_RESOURCES = [
  "stytch.organization",
  "stytch.member",
  "stytch.self",
  "stytch.sso",
  "stytch.scim",
] as const;

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
