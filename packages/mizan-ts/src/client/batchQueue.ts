/** One call waiting for the next batch. */
export interface PendingCall {
  readonly fn: string;
  readonly input: unknown;
  resolve(envelope: unknown): void;
  reject(error: unknown): void;
}

/**
 * Collects the calls made within one window (by default the current tick: everything
 * called before a `setTimeout(0)` fires) and hands them to `send` in chunks of at most
 * `maxSize`, so N calls cost ceil(N / maxSize) requests.
 */
export function createBatchQueue(options: {
  readonly maxSize: number;
  readonly windowMs: number;
  readonly send: (calls: readonly PendingCall[]) => Promise<void>;
}): (fn: string, input: unknown) => Promise<unknown> {
  if (!Number.isSafeInteger(options.maxSize) || options.maxSize < 1) {
    throw new TypeError(`maxBatchSize must be a positive integer, got ${String(options.maxSize)}`);
  }
  let queue: PendingCall[] = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    const calls = queue;
    queue = [];
    for (let start = 0; start < calls.length; start += options.maxSize) {
      const chunk = calls.slice(start, start + options.maxSize);
      options.send(chunk).catch((error: unknown) => {
        for (const call of chunk) call.reject(error);
      });
    }
  };

  return (fn, input) =>
    new Promise<unknown>((resolve, reject) => {
      queue.push({ fn, input, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setTimeout(flush, options.windowMs);
      }
    });
}
