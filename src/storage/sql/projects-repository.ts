import type { Kysely, Selectable } from "kysely";
import {
  type Project,
  type ProjectSettings,
  type RedirectUrl,
  type RedirectUrlType,
  withDefaultSettings,
} from "../../projects/project.js";
import type { ProjectsStore } from "../../projects/projects-store.js";
import type { Database, ProjectTable } from "../database.js";
import { bool, parseJson, toJson } from "./json.js";

function toProject(row: Selectable<ProjectTable>): Project {
  return {
    project_id: row.project_id,
    name: row.name,
    environment: row.environment,
    public_token: row.public_token,
    settings: withDefaultSettings(parseJson(row.settings)),
    created_at: row.created_at,
  };
}

export class ProjectsRepository implements ProjectsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertProject(project: Project): Promise<void> {
    await this.db
      .insertInto("projects")
      .values({
        project_id: project.project_id,
        name: project.name,
        environment: project.environment,
        public_token: project.public_token,
        settings: toJson(project.settings),
        created_at: project.created_at,
      })
      .execute();
  }

  async updateProjectSettings(projectId: string, settings: ProjectSettings): Promise<boolean> {
    const result = await this.db
      .updateTable("projects")
      .set({ settings: toJson(settings) })
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async getProject(projectId: string): Promise<Project | null> {
    const row = await this.db
      .selectFrom("projects")
      .selectAll()
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async listProjects(): Promise<Project[]> {
    const rows = await this.db.selectFrom("projects").selectAll().orderBy("created_at").execute();
    return rows.map(toProject);
  }

  async countProjects(): Promise<number> {
    const row = await this.db
      .selectFrom("projects")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertSecret(secret: {
    secret_id: string;
    project_id: string;
    secret_hash: string;
    last_four: string;
    created_at: number;
  }): Promise<void> {
    await this.db.insertInto("project_secrets").values(secret).execute();
  }

  async findProjectBySecret(projectId: string, secretHash: string): Promise<Project | null> {
    const row = await this.db
      .selectFrom("project_secrets as s")
      .innerJoin("projects as p", "p.project_id", "s.project_id")
      .selectAll("p")
      .where("s.secret_hash", "=", secretHash)
      .where("s.project_id", "=", projectId)
      .executeTakeFirst();
    return row ? toProject(row) : null;
  }

  async addRedirectUrl(
    projectId: string,
    url: string,
    type: RedirectUrlType,
    isDefault: boolean,
    now: number,
  ) {
    const hasDefault = await this.db
      .selectFrom("redirect_urls")
      .select("url")
      .where("project_id", "=", projectId)
      .where("type", "=", type)
      .where("is_default", "=", 1)
      .executeTakeFirst();
    const makeDefault = isDefault || !hasDefault;
    if (makeDefault) {
      await this.db
        .updateTable("redirect_urls")
        .set({ is_default: 0 })
        .where("project_id", "=", projectId)
        .where("type", "=", type)
        .execute();
    }
    await this.db
      .insertInto("redirect_urls")
      .values({ project_id: projectId, url, type, is_default: makeDefault ? 1 : 0, created_at: now })
      .onConflict((oc) =>
        oc.columns(["project_id", "type", "url"]).doUpdateSet({ is_default: makeDefault ? 1 : 0 }),
      )
      .execute();
  }

  async listRedirectUrls(projectId: string): Promise<RedirectUrl[]> {
    const rows = await this.db
      .selectFrom("redirect_urls")
      .select(["url", "type", "is_default"])
      .where("project_id", "=", projectId)
      .orderBy("created_at")
      .orderBy("type")
      .execute();
    return rows.map((r) => ({ url: r.url, type: r.type as RedirectUrlType, is_default: bool(r.is_default) }));
  }

  async findRedirectUrl(
    projectId: string,
    type: RedirectUrlType,
    url: string | null,
  ): Promise<RedirectUrl | null> {
    let query = this.db
      .selectFrom("redirect_urls")
      .select(["url", "type", "is_default"])
      .where("project_id", "=", projectId)
      .where("type", "=", type);
    query = url === null ? query.where("is_default", "=", 1) : query.where("url", "=", url);
    const row = await query.executeTakeFirst();
    return row ? { url: row.url, type, is_default: bool(row.is_default) } : null;
  }
}
