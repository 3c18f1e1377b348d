import type { Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import type { Store } from "../storage/store.js";
import type { Member } from "./member.js";
import {
  decodeCursor,
  encodeCursor,
  parseMemberQuery,
  type RawSearchQuery,
  searchLimit,
} from "./member-query.js";

export interface SearchMembersInput {
  cursor?: string;
  limit?: number;
  query?: RawSearchQuery;
}

export interface SearchMembersResult {
  members: Member[];
  total: number;
  /** null on the last page. */
  next_cursor: string | null;
  /** The organizations of the returned members only, keyed by organization_id. */
  organizations: Map<string, Organization>;
}

/**
 * POST /v1/b2b/organizations/members/search over already resolved organizations (all of the caller's
 * project: resolution is what scopes a search to the project). Validation happens before any query runs.
 */
export async function searchMembers(
  store: Pick<Store, "members">,
  project: Project,
  organizations: Organization[],
  input: SearchMembersInput,
): Promise<SearchMembersResult> {
  const query = parseMemberQuery(input.query);
  const limit = searchLimit(input.limit);
  const after = decodeCursor(input.cursor);
  const page = await store.members.searchMembers({
    projectId: project.project_id,
    organizationIds: organizations.map((o) => o.organization_id),
    query,
    after,
    limit,
  });
  const byId = new Map(organizations.map((o) => [o.organization_id, o]));
  const returned = new Map<string, Organization>();
  for (const member of page.members) {
    const organization = byId.get(member.organization_id);
    if (organization) returned.set(organization.organization_id, organization);
  }
  const last = page.members.at(-1);
  return {
    members: page.members,
    total: page.total,
    next_cursor: page.more && last ? encodeCursor(last) : null,
    organizations: returned,
  };
}
