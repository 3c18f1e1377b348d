import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { organizationToWire } from "../presenters.js";
import { AnyObject, OrganizationSchema, response, Str } from "../schemas.js";

/** POST /v1/b2b/organizations/search (not "hdr": it spans the project, so only the API key may call it). */

const SearchBody = Type.Object({
  cursor: Type.Optional(Str),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  // The operands' shapes depend on filter_name; the service checks them and names the bad one.
  query: Type.Optional(
    Type.Object({ operator: Type.Optional(Str), operands: Type.Optional(Type.Array(AnyObject)) }),
  ),
});

const SearchResponse = response({
  organizations: Type.Array(OrganizationSchema),
  results_metadata: Type.Object({ total: Type.Integer(), next_cursor: Type.Union([Str, Type.Null()]) }),
});

export function registerOrganizationsSearchRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof SearchBody> }>(
    "/v1/b2b/organizations/search",
    { schema: { body: SearchBody, response: { 200: SearchResponse } } },
    async (request) => {
      const { organizations, total, next_cursor } = await services.organizations.search(
        projectOf(request),
        request.body,
      );
      return ok(request, {
        organizations: organizations.map(organizationToWire),
        results_metadata: { total, next_cursor },
      });
    },
  );
}
