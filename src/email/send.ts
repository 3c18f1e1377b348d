import type { AuthDeps } from "../auth-deps.js";
import { AuthError } from "../errors/auth-error.js";
import type { Project } from "../projects/project.js";
import type { RenderedEmail } from "./templates.js";

/**
 * Sends one email and turns a delivery failure into 503 email_delivery_failed (the cause goes to the log,
 * never to the client). The token behind the email was already stored; it simply goes unused.
 */
export async function sendEmail(
  deps: Pick<AuthDeps, "mailer" | "log">,
  project: Project,
  to: string,
  email: RenderedEmail,
): Promise<void> {
  try {
    await deps.mailer.send({ projectId: project.project_id, to, ...email });
  } catch (error) {
    deps.log.error({ err: error, project_id: project.project_id }, "email delivery failed");
    throw new AuthError("email_delivery_failed", { cause: error });
  }
}
