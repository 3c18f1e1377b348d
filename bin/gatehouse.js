#!/usr/bin/env node
// The `gatehouse` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const entry = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli", "index.js");
if (!existsSync(entry)) {
  process.stderr.write("gatehouse: dist/ is missing; run `npm run build` (npm install runs it for you).\n");
  process.exit(1);
}
await import(entry);
