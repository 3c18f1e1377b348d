#!/usr/bin/env -S node --max-semi-space-size=8
// The `gatehouse` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
//
// The node flags above (and in package.json's start script, which must carry the same ones; test/cli.test.ts
// checks) cap V8's young generation at 2 x 8 MB instead of Node 20's 2 x 16 MB. V8 shrinks a grown young
// generation only when its memory reducer runs, which it does after a full GC: a burst of requests that ends
// without one (200 logins, say) left 32 MB committed for good and the node at 127 MB at rest. With the cap the
// most it can keep is half that, at the price of a scavenge twice as often under load, each as short (they
// copy only the few live objects of the requests in flight): an estimated 1% of a core at 20k requests/s, and
// the collector's share of a session-check profile stayed within the machine's noise (4-7%). A flag
// given on the command line (node --max-semi-space-size=32 bin/gatehouse.js serve) takes its place.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const entry = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli", "index.js");
if (!existsSync(entry)) {
  process.stderr.write("gatehouse: dist/ is missing; run `npm run build` (npm install runs it for you).\n");
  process.exit(1);
}
await import(entry);
