/**
 * Runs async tasks one at a time, in the order they were queued (internal). The sequencer
 * and the checkpoint signer each own one, so that no two of their critical sections
 * interleave at an `await` within one process; across processes the store's lock does
 * the same job.
 * @module
 */

/** A FIFO of async tasks, run strictly one after another. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /**
   * Queues `task`; it starts when every task queued before it has settled.
   * @returns what the task returns; a task's failure does not stop the queue
   * @example await queue.run(async () => commitGroup())
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    // The next task waits for this one to settle, whether it fulfilled or rejected.
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
