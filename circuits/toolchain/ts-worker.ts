/**
 * Starting a worker thread whose entry is a TypeScript file, with no build step. Shared by
 * every worker pool of the project (dataset hashing, registry proof verification).
 *
 * Sources run through tsx. On Node 20, `new Worker(url, { execArgv: ['--import', 'tsx'] })`
 * does not work: the worker's entry module is resolved before the hooks registered by
 * `--import` apply, and the load fails with ERR_UNKNOWN_FILE_EXTENSION ".ts" (tsx
 * #354; checked on Node 20.20). What does work, on Node 20 and 22, under tsx and under
 * vitest: a small ES module evaluated as the worker's entry that registers tsx through its
 * API (`tsx/esm/api`, resolved here with import.meta.resolve to an absolute URL) and then
 * imports the worker file. If the sources are ever compiled to JavaScript, the worker URL
 * ends in .js and loads directly.
 *
 * `workerData` reaches the worker file as usual (`import { workerData } from
 * 'node:worker_threads'`): the evaluated entry runs in the same worker.
 * @module
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running the module at `url` (a `.ts` file through tsx, or `.js`).
 * @param url - absolute file URL of the worker module, e.g. `new URL('./_w.ts', import.meta.url)`
 * @param options - worker options (`workerData`, `resourceLimits`, …); `eval` is set here
 * @throws {TypeError} if url is not a file: URL
 * @example const worker = startTsWorker(new URL('./_hash-worker.ts', import.meta.url), { workerData: { keys } });
 */
export function startTsWorker(url: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!(url instanceof URL) || url.protocol !== 'file:') throw new TypeError(`"url" expected a file: URL, got ${String(url)}`);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(entry, { ...options, eval: true });
}
