import { parentPort } from "node:worker_threads";
import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";
import { breachedKey, breachedSet } from "./breached-passwords.js";

/**
 * The password-strength worker thread, started and stopped by strength-client.ts. It is the only module that
 * imports zxcvbn-ts's analyser and dictionaries (breached-list-worker.ts loads only language-common's password
 * list, for the breach check of logins: breached-passwords.ts): they take ~48 MB of heap and each analysis
 * milliseconds of CPU, so they live here, off the event loop, and only while passwords are being checked. The
 * main thread must never import this file (only its types). Policy (limits, truncation, LUDS, verdicts) stays in
 * strength.ts; this file answers two questions: is the password in the breached list, and what does zxcvbn say
 * about it.
 */

/** One question. `breach`: the password to look up, or null; `zxcvbn`: what to analyse, or null. */
export interface StrengthRequest {
  id: number;
  breach: string | null;
  zxcvbn: { password: string; userInputs: string[] } | null;
}

export interface ZxcvbnVerdict {
  score: number;
  warning: string | null;
  suggestions: string[];
}

export type StrengthAnswer = { breached: boolean; zxcvbn: ZxcvbnVerdict | null };
export type StrengthReply = ({ id: number } & StrengthAnswer) | { id: number; error: string };

zxcvbnOptions.setOptions({
  translations: english.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...english.dictionary },
  // zxcvbn's l33t matcher is combinatorial: with the default 100 substitutions a 64-character password took
  // ~200 ms here, with 4 it takes ~15 ms and scores ordinary passwords the same.
  l33tMaxSubstitutions: 4,
});

/** The breached-password list (breached-passwords.ts), for checks that also run zxcvbn. */
const BREACHED = breachedSet(common.dictionary.passwords);

function answer(request: StrengthRequest): StrengthAnswer {
  const breached = request.breach !== null && BREACHED.has(breachedKey(request.breach));
  if (request.zxcvbn === null) return { breached, zxcvbn: null };
  const result = zxcvbn(request.zxcvbn.password, request.zxcvbn.userInputs);
  return {
    breached,
    zxcvbn: {
      score: result.score,
      warning: result.feedback.warning,
      suggestions: result.feedback.suggestions,
    },
  };
}

if (!parentPort) throw new Error("strength-worker runs only as a worker thread (see strength-client.ts).");
const port = parentPort;
port.on("message", (request: StrengthRequest) => {
  let reply: StrengthReply;
  try {
    reply = { id: request.id, ...answer(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
