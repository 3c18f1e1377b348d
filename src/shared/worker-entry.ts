import type { WorkerOptions } from "node:worker_threads";

/**
 * How to start the worker file `name` that sits beside `from` (the caller's import.meta.url): `<name>.js` in
 * the compiled dist/ (`gatehouse serve`), or `<name>.ts` under tsx (tests, `npm run dev`). A worker does not
 * inherit tsx's loader, and on Node 20 `execArgv: ["--import", "tsx"]` does not give it one either, so a .ts
 * worker starts from a one-line script that registers tsx (resolved from here, not from the current directory)
 * and then imports the file.
 */
export function workerEntry(from: string, name: string): { entry: string | URL; options: WorkerOptions } {
  if (!from.endsWith(".ts")) return { entry: new URL(`./${name}.js`, from), options: {} };
  const api = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const file = JSON.stringify(new URL(`./${name}.ts`, from).href);
  return {
    entry: `import(${api}).then((tsx) => { tsx.register(); return import(${file}); });`,
    options: { eval: true },
  };
}
