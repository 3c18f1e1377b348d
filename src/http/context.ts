import type { FastifyRequest } from "fastify";
import type { Config } from "../config/load.js";
import type { DiscoveryService } from "../discovery/discovery-service.js";
import type { MagicLinksService } from "../magic-links/magic-links-service.js";
import type { MembersService } from "../members/members-service.js";
import type { OrganizationsService } from "../organizations/organizations-service.js";
import type { PasswordsService } from "../passwords/passwords-service.js";
import type { Project } from "../projects/project.js";
import type { ProjectsService } from "../projects/projects-service.js";
import type { SessionAnswerCache } from "../sessions/answer-cache.js";
import type { SessionsService } from "../sessions/sessions-service.js";
import type { Clock } from "../shared/clock.js";
import type { Store } from "../storage/store.js";
import type { KeptAnswer, SessionCheckFront } from "./session-check-front.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Answers repeated plain session checks before Fastify; null when the answer cache is off. */
    sessionCheckFront: SessionCheckFront | null;
  }
  interface FastifyRequest {
    /** The project whose credentials authenticated this request (null on public routes). */
    project: Project | null;
  }
}

/** Everything the routes call. Built once by the composition root (app.ts). */
export interface AppServices {
  readonly config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly projects: ProjectsService;
  readonly organizations: OrganizationsService;
  readonly members: MembersService;
  readonly magicLinks: MagicLinksService;
  readonly passwords: PasswordsService;
  readonly sessions: SessionsService;
  /** This second's answers of plain session checks, as serialized after their request_id; null when off. */
  readonly sessionAnswers: SessionAnswerCache<KeptAnswer> | null;
  readonly discovery: DiscoveryService;
}

/** The authenticated project; routes under /v1/b2b are only reached after project-auth set it. */
export function projectOf(request: FastifyRequest): Project {
  if (!request.project) throw new Error("route reached without project authentication");
  return request.project;
}

/** What every request id of a project's environment starts with (requestIdOf). */
export function requestIdPrefix(environment: string): string {
  return `request-id-${environment}-`;
}

/** Stytch's request id: `request-id-<env>-<uuid>`, the uuid being Fastify's request id. */
export function requestIdOf(request: FastifyRequest): string {
  return `${requestIdPrefix(request.project?.environment ?? "test")}${request.id}`;
}

/** The success envelope every 200 carries. */
export function ok<T extends object>(
  request: FastifyRequest,
  body: T,
): T & { request_id: string; status_code: 200 } {
  return { request_id: requestIdOf(request), status_code: 200, ...body };
}
