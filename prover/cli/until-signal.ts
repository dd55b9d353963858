/**
 * How long-running commands (servers, followers, watchers) stop: on the first SIGINT or
 * SIGTERM their abort signal fires, they close what they opened and return, and the
 * handlers are removed so the next command (or test) in the process starts clean.
 * @module
 */

/**
 * Runs `f` until it returns, aborting its signal on SIGINT or SIGTERM.
 * @throws whatever `f` throws (the handlers are removed all the same)
 * @example await untilSignal((stop) => runServe(options, io, stop))
 */
export async function untilSignal<T>(f: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await f(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
