import { AuthError } from "../errors/auth-error.js";
import type { ProjectsService } from "../projects/projects-service.js";
import type { SigningKeys } from "../sessions/signing-keys.js";
import { type ParsedArgs, requireFlag, UsageError } from "./args.js";

/** Default time between publishing a rotated-in key and signing with it (see SigningKeys.rotate). */
const DEFAULT_GRACE_SECONDS = 300;

/**
 * `gatehouse keys rotate --project <id> [--grace-seconds N]` and `gatehouse keys list --project <id>`:
 * JWT signing-key rotation. The new key is in the JWKS at once and signs after the grace period; the old key
 * signs until then and stays published until every JWT it signed has expired.
 */
export async function keysCommand(
  sub: string | undefined,
  args: ParsedArgs,
  projects: ProjectsService,
  keys: SigningKeys,
  print: (value: unknown, text: string) => void,
): Promise<number> {
  const projectId = requireFlag(args, "project");
  const project = await projects.get(projectId);
  if (!project) throw new AuthError("project_not_found", { message: `no project ${projectId}` });
  switch (sub) {
    case "rotate": {
      const raw = args.flags.get("grace-seconds");
      const grace = raw === undefined ? DEFAULT_GRACE_SECONDS : Number(raw);
      if (!Number.isInteger(grace) || grace < 0 || grace > 86_400) {
        throw new UsageError("--grace-seconds must be an integer from 0 to 86400");
      }
      const key = await keys.rotate(project.project_id, project.environment, grace * 1000);
      const signsFrom = new Date(key.created_at).toISOString();
      print(
        { kid: key.kid, signs_from: signsFrom },
        `new key ${key.kid} is published now and signs from ${signsFrom}`,
      );
      return 0;
    }
    case "list": {
      const list = (await keys.list(project.project_id)).map((k) => ({
        kid: k.kid,
        state: k.state,
        signs_from: new Date(k.created_at).toISOString(),
        retired_at: k.retired_at === null ? null : new Date(k.retired_at).toISOString(),
      }));
      print(list, list.map((k) => `${k.kid}  ${k.state.padEnd(8)} from ${k.signs_from}`).join("\n"));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "keys ${sub ?? ""}"`);
  }
}
