import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberToWire, organizationToWire } from "../presenters.js";
import { AnyObject, Bool, MemberSchema, OrganizationSchema, response, Str, StrArray } from "../schemas.js";

/** /v1/b2b/passwords/migrate (SDK: passwords.migrate) */

const SaltConfig = Type.Object({ prepend_salt: Type.Optional(Str), append_salt: Type.Optional(Str) });
const Int = Type.Integer();

const Body = Type.Object({
  email_address: Str,
  // Every supported hash is far shorter; the bound keeps stored strings and parsing small.
  hash: Type.String({ maxLength: 1024 }),
  hash_type: Str,
  organization_id: Str,
  md_5_config: Type.Optional(SaltConfig),
  sha_1_config: Type.Optional(SaltConfig),
  sha_512_config: Type.Optional(SaltConfig),
  argon_2_config: Type.Optional(AnyObject),
  scrypt_config: Type.Optional(
    Type.Object({
      salt: Type.Optional(Str),
      n_parameter: Type.Optional(Int),
      r_parameter: Type.Optional(Int),
      p_parameter: Type.Optional(Int),
      key_length: Type.Optional(Int),
    }),
  ),
  pbkdf_2_config: Type.Optional(
    Type.Object({
      salt: Type.Optional(Str),
      iteration_amount: Type.Optional(Int),
      key_length: Type.Optional(Int),
      algorithm: Type.Optional(Str),
    }),
  ),
  name: Type.Optional(Type.String({ maxLength: 256 })),
  trusted_metadata: Type.Optional(AnyObject),
  untrusted_metadata: Type.Optional(AnyObject),
  roles: Type.Optional(StrArray),
  preserve_existing_sessions: Type.Optional(Bool),
  mfa_phone_number: Type.Optional(Str),
  set_phone_number_verified: Type.Optional(Bool),
  external_id: Type.Optional(Str),
});

const Response = response({
  member_id: Str,
  member_created: Bool,
  member: MemberSchema,
  organization: OrganizationSchema,
});

export function registerPasswordsMigrateRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof Body> }>(
    "/v1/b2b/passwords/migrate",
    { schema: { body: Body, response: { 200: Response } } },
    async (request) => {
      const { member, member_created, organization } = await services.passwords.migrate(
        projectOf(request),
        request.body,
      );
      return ok(request, {
        member_id: member.member_id,
        member_created,
        member: memberToWire(member, services.clock.now()),
        organization: organizationToWire(organization),
      });
    },
  );
}
