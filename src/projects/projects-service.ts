import { type Environment, newId } from "../crypto/ids.js";
import { newSecret, sha256Hex } from "../crypto/random.js";
import { AuthError } from "../errors/auth-error.js";
import type { SigningKeys } from "../sessions/signing-keys.js";
import type { Clock } from "../shared/clock.js";
import { TtlCache } from "../shared/ttl-cache.js";
import type { Store } from "../storage/store.js";
import {
  DEFAULT_PROJECT_SETTINGS,
  DEFAULT_REDIRECT_URL,
  type Project,
  type ProjectSettingsUpdate,
  REDIRECT_URL_TYPES,
  type RedirectUrlType,
  updatedSettings,
} from "./project.js";

export interface ProjectsServiceDeps {
  store: Store;
  keys: SigningKeys;
  clock: Clock;
}

/** What a new project or secret hands back once: the secret is never retrievable again. */
export interface ProjectCredentials {
  project_id: string;
  secret: string;
  public_token: string;
}

/** How long a node trusts a project (and a verified secret digest) read from the database. */
const PROJECT_CACHE_MS = 10_000;

export function createProjectsService(deps: ProjectsServiceDeps) {
  const { store, keys, clock } = deps;
  // Projects change rarely (settings, new secrets); other nodes see a change within PROJECT_CACHE_MS.
  const projectCache = new TtlCache<Project>(PROJECT_CACHE_MS, 10_000, () => clock.now());

  async function createSecret(
    tx: Store,
    project: Pick<Project, "project_id" | "environment">,
  ): Promise<string> {
    const secret = newSecret(project.environment);
    await tx.projects.insertSecret({
      secret_id: newId("secret-id", project.environment),
      project_id: project.project_id,
      secret_hash: sha256Hex(secret),
      last_four: secret.slice(-4),
      created_at: clock.now(),
    });
    return secret;
  }

  return {
    /**
     * A new project with one secret, one RS256 signing key, and Stytch's default redirect URL
     * (http://localhost:3000/authenticate) registered as the default of every type.
     */
    async create(input: { name: string; environment: Environment }): Promise<ProjectCredentials> {
      const now = clock.now();
      const project: Project = {
        project_id: newId("project", input.environment),
        name: input.name,
        environment: input.environment,
        public_token: newId("public-token", input.environment),
        settings: DEFAULT_PROJECT_SETTINGS,
        created_at: now,
      };
      const secret = await store.transaction(async (tx) => {
        await tx.projects.insertProject(project);
        for (const type of REDIRECT_URL_TYPES) {
          await tx.projects.addRedirectUrl(project.project_id, DEFAULT_REDIRECT_URL, type, true, now);
        }
        return createSecret(tx, project);
      });
      await keys.createKey(project.project_id, project.environment);
      return { project_id: project.project_id, secret, public_token: project.public_token };
    },

    async createSecret(projectId: string): Promise<string> {
      const project = await store.projects.getProject(projectId);
      if (!project) throw new AuthError("project_not_found");
      return createSecret(store, project);
    },

    list: () => store.projects.listProjects(),
    count: () => store.projects.countProjects(),
    /** The project, from a 10-second cache (the public JWKS route asks on every fetch). */
    async get(projectId: string): Promise<Project | null> {
      const cached = projectCache.get(`${projectId}:`);
      if (cached) return cached;
      const project = await store.projects.getProject(projectId);
      if (project) projectCache.set(`${projectId}:`, project);
      return project;
    },

    /**
     * HTTP Basic credentials → project. The secret is compared by digest through the unique index, so no
     * comparison of the secret itself happens in JavaScript. Every failure is the same 401. Successes are
     * cached for 10 seconds under the secret's digest, so a busy API client costs no query per request;
     * failures are never cached (random credentials cannot fill the cache with anything useful).
     */
    async authenticate(projectId: string, secret: string): Promise<Project> {
      const key = `${projectId}:${sha256Hex(secret)}`;
      const cached = projectCache.get(key);
      if (cached) return cached;
      const project = await store.projects.findProjectBySecret(projectId, sha256Hex(secret));
      if (!project) throw new AuthError("unauthorized_credentials");
      projectCache.set(key, project);
      return project;
    },

    async addRedirectUrl(projectId: string, url: string, types: RedirectUrlType[], isDefault: boolean) {
      const project = await store.projects.getProject(projectId);
      if (!project) throw new AuthError("project_not_found");
      assertRedirectUrl(url, project.environment);
      await store.transaction(async (tx) => {
        for (const type of types)
          await tx.projects.addRedirectUrl(projectId, url, type, isDefault, clock.now());
      });
    },

    listRedirectUrls: (projectId: string) => store.projects.listRedirectUrls(projectId),

    /**
     * Changes some of a project's settings (password policy, lockout, cross-org passwords); the rest keep their
     * values. Values are validated as a whole before anything is written. Takes effect on the next request:
     * every request reads its project afresh. Returns the updated project.
     *
     * `cross_org_passwords` can be turned on only while no live member of the project has a password (Stytch:
     * the setting "cannot be changed if you have active passwords"): otherwise one organization's password
     * would start opening the person's other organizations, and two organizations could hold two different
     * "shared" passwords. Turning it off is always allowed: each member keeps its copy as an ordinary
     * organization-scoped password.
     */
    async updateSettings(projectId: string, update: ProjectSettingsUpdate): Promise<Project> {
      const project = await store.projects.getProject(projectId);
      if (!project) throw new AuthError("project_not_found");
      const settings = updatedSettings(project.settings, update);
      if (
        settings.cross_org_passwords &&
        !project.settings.cross_org_passwords &&
        (await store.members.hasLivePassword(projectId))
      ) {
        throw new AuthError("invalid_request_value", {
          message:
            "cross_org_passwords can only be turned on while no member has a password; delete the members' passwords first.",
        });
      }
      if (!(await store.projects.updateProjectSettings(projectId, settings))) {
        throw new AuthError("project_not_found");
      }
      projectCache.deletePrefix(`${projectId}:`);
      return { ...project, settings };
    },
  };
}

export type ProjectsService = ReturnType<typeof createProjectsService>;

/** Registered redirect URLs must be absolute http(s) URLs; live projects must use https (Stytch's rule). */
export function assertRedirectUrl(url: string, environment: Environment): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthError("invalid_request_value", { message: `"${url}" is not an absolute URL.` });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new AuthError("invalid_request_value", { message: "Redirect URLs must use http or https." });
  }
  if (environment === "live" && parsed.protocol !== "https:") {
    throw new AuthError("invalid_request_value", { message: "Live projects' redirect URLs must use https." });
  }
}
