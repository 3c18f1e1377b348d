import type { Project, ProjectSettings, RedirectUrl, RedirectUrlType } from "./project.js";

/** Persistence contract for projects, their API secrets and redirect URLs. */
export interface ProjectsStore {
  insertProject(project: Project): Promise<void>;
  /** Replaces the project's settings; returns false when the project does not exist. */
  updateProjectSettings(projectId: string, settings: ProjectSettings): Promise<boolean>;
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
  /** The project `projectId` if it has a secret with this SHA-256 digest (one indexed join). */
  findProjectBySecret(projectId: string, secretHash: string): Promise<Project | null>;

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
