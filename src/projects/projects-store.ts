import type { Project, RedirectUrl, RedirectUrlType } from "./project.js";

/** Persistence contract for projects, their API secrets and redirect URLs. */
export interface ProjectsStore {
  insertProject(project: Project): Promise<void>;
  getProject(projectId: string): Promise<Project | null>;
  listProjects(): Promise<Project[]>;
  countProjects(): Promise<number>;

  insertSecret(secret: {
    secret_id: string;
    project_id: string;
    secret_hash: string;
    last_four: string;
    created_at: number;
  }): Promise<void>;
  /** The project whose secret has this SHA-256 digest, if that secret belongs to `projectId`. */
  findSecret(projectId: string, secretHash: string): Promise<{ secret_id: string } | null>;

  /**
   * Registers `url` for `type`. With `isDefault`, it becomes the only default of that type; the first URL of a
   * type becomes its default too (Stytch promotes the first URL).
   */
  addRedirectUrl(
    projectId: string,
    url: string,
    type: RedirectUrlType,
    isDefault: boolean,
    now: number,
  ): Promise<void>;
  listRedirectUrls(projectId: string): Promise<RedirectUrl[]>;
  /** The registered URL of this type equal to `url`, or when `url` is null the type's default. */
  findRedirectUrl(projectId: string, type: RedirectUrlType, url: string | null): Promise<RedirectUrl | null>;
}
