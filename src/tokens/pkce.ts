import { constantTimeEqual, pkceChallengeOf } from "../crypto/random.js";
import { AuthError } from "../errors/auth-error.js";

/** Checks a redemption's PKCE verifier against the challenge the token was issued with (RFC 7636, S256). */
export function assertPkce(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    if (verifier !== undefined) throw new AuthError("pkce_did_not_expect_code_verifier");
    return;
  }
  if (verifier === undefined) throw new AuthError("pkce_expected_code_verifier");
  if (!constantTimeEqual(pkceChallengeOf(verifier), challenge)) throw new AuthError("pkce_mismatch");
}
