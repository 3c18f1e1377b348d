import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

/** Gatehouse nodes as separate OS processes (the real CLI, loaded through tsx), for multi-node tests. */
const ROOT = join(import.meta.dirname, "..", "..");
const CLI = ["--import", "tsx", join(ROOT, "src", "cli", "index.ts")];

export interface GatehouseNode {
  readonly url: string;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `gatehouse serve` and resolves once /healthz answers 200. */
export async function startNode(env: Record<string, string>): Promise<GatehouseNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [...CLI, "serve"], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`node did not become healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Runs a CLI command to completion and returns its stdout (throws on a non-zero exit). */
export function runCli(args: string[], env: Record<string, string>): string {
  const result = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`gatehouse ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}
