/**
 * The closed-loop load generator every benchmark uses: `concurrency` loops, each sending its next request as soon as
 * the previous one answered, for a fixed time (or a fixed number of requests: the warm-ups). The transport is
 * whatever `send` does (see http-client.ts and grpc-client.ts), so every server is driven by the same loop.
 */

/** Sends one request and resolves when its answer is complete; rejects when the request failed. */
export type SendOne = () => Promise<void>;

/** Throughput and latency of one measured point. Latencies in µs. */
export interface LoadResult {
  readonly concurrency: number;
  /** Successful requests. */
  readonly requests: number;
  readonly errors: number;
  /** The first failure's message, when there was one. */
  readonly firstError?: string;
  readonly seconds: number;
  /** Successful requests per second. */
  readonly rps: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p95Us: number;
  readonly p99Us: number;
}

export interface LoadOptions {
  readonly concurrency: number;
  readonly seconds: number;
  /** Stop after this many requests were sent (all loops together); the time limit still applies. */
  readonly maxRequests?: number;
}

/** The q-quantile (0..1) of ascending `sorted`, nearest rank; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A LoadResult from latencies in ms (any order), the elapsed time and the failures. */
export function summarize(
  latenciesMs: readonly number[],
  seconds: number,
  concurrency: number,
  errors = 0,
  firstError?: string,
): LoadResult {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    concurrency,
    requests: sorted.length,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    seconds,
    rps: seconds > 0 ? sorted.length / seconds : NaN,
    meanUs: sorted.length > 0 ? (sum / sorted.length) * 1000 : NaN,
    p50Us: quantile(sorted, 0.5) * 1000,
    p95Us: quantile(sorted, 0.95) * 1000,
    p99Us: quantile(sorted, 0.99) * 1000,
  };
}

/** Runs the closed loop and measures it. A failed request counts as an error and its loop goes on. */
export async function closedLoop(send: SendOne, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let sent = 0;
  const limit = options.maxRequests ?? Infinity;
  const begin = performance.now();
  const deadline = begin + options.seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline && sent < limit) {
      sent++;
      const start = performance.now();
      try {
        await send();
        latencies.push(performance.now() - start);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const elapsed = (performance.now() - begin) / 1000;
  return summarize(latencies, elapsed, options.concurrency, errors, firstError);
}
