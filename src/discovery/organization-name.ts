import { randomBytes } from "node:crypto";
import { emailDomain, isCommonEmailDomain } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import type { Store } from "../storage/store.js";

/**
 * The name and slug discovery/organizations/create gives an organization when the request names none
 * (docs/stytch-b2b-api.md §5.6): the address's domain, or its local part for public mailbox providers and
 * .edu addresses, whose domain says nothing about the organization. A slug already taken in the project gets a
 * short random suffix; should a concurrent create still take it first, the insert fails with
 * organization_slug_already_used and the IST stays usable.
 */
export async function derivedOrganizationName(
  store: Pick<Store, "organizations">,
  project: Project,
  email: string,
): Promise<{ name: string; slug: string }> {
  const domain = emailDomain(email);
  const personal = isCommonEmailDomain(domain) || domain.endsWith(".edu");
  const name = personal ? email.slice(0, email.lastIndexOf("@")) : domain;
  const base = slugOf(name);
  let slug = base;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!(await store.organizations.findOrganization(project.project_id, slug))) break;
    slug = `${base.slice(0, 119)}-${randomBytes(4).toString("hex")}`;
  }
  return { name, slug };
}

/** Lower-case; every run of characters a slug cannot hold becomes "-"; at least 2 characters. */
function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 128);
  return slug.length >= 2 ? slug : `org-${slug}`;
}
