/** How reconnects back off. */
export interface BackoffOptions {
  /** The first delay. Default 500 ms. */
  readonly initialMs?: number;
  /** The ceiling. Default 30 s. */
  readonly maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  readonly factor?: number;
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first): exponential growth up to
 * `maxMs`, with "equal jitter" (half fixed, half random) so clients dropped together by a
 * restart do not all come back in the same millisecond, yet none retries at once.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const ceiling = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
