import { parentPort } from "node:worker_threads";
import * as common from "@zxcvbn-ts/language-common";
import { type SortedList, sortedList } from "./breached-passwords.js";

/**
 * Started by breached-passwords.ts at the first login's breach check: imports zxcvbn-ts's common-password list,
 * answers once with its compact form, and is terminated. Importing the package here rather than on the main
 * thread keeps its ≈4 MB of heap and its load time off the event loop (breached-passwords.ts).
 */
if (!parentPort)
  throw new Error("breached-list-worker runs only as a worker thread (see breached-passwords.ts).");
const list: SortedList = sortedList(common.dictionary.passwords);
parentPort.postMessage(list);
