import type { FastifyRequest } from "fastify";
import { AuthError } from "../errors/auth-error.js";
import type { ProjectsService } from "../projects/projects-service.js";

/**
 * HTTP Basic `project_id:secret` on every /v1/b2b route (docs/stytch-b2b-api.md §1.7): no header or wrong
 * credentials → 401 unauthorized_credentials; a header that is not Basic or does not decode → 400
 * invalid_authorization_header (as observed from Stytch). The secret is never logged.
 */
export function createProjectAuth(projects: ProjectsService) {
  return async function projectAuth(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined || header === "") throw new AuthError("unauthorized_credentials");
    const match = /^Basic ([A-Za-z0-9+/=_-]{1,1024})$/i.exec(header.trim());
    if (!match?.[1]) throw new AuthError("invalid_authorization_header");
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) throw new AuthError("invalid_authorization_header");
    const projectId = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (projectId.length > 128 || secret.length === 0 || secret.length > 256) {
      throw new AuthError("unauthorized_credentials");
    }
    request.project = await projects.authenticate(projectId, secret);
  };
}
