/**
 * One priority level's queue under its ModelQueuePolicy (Triton's PolicyQueue): requests in arrival order, each with
 * a deadline, plus the "delayed" requests that expired under the DELAY action and now wait behind every unexpired
 * request of the level. A scan cursor walks the level in batching order (unexpired, then delayed) and applies the
 * timeout policy lazily to the requests it reaches, as Triton does.
 */
import type { ServerError } from '../protocol/errors.ts';
import type { LevelPolicy } from '../core/batching-plan.ts';
import { timeoutExpiredError } from './queue-errors.ts';

/** A request as the batcher sees it; `payload` is whatever the glue needs back. */
export interface Pending<T> {
  readonly payload: T;
  /** This request's contribution to a batch: max(1, its batch dim). */
  readonly batchSize: number;
  /** Requests with equal keys may share a batch (variable-dim, non-ragged input shapes; '' = none). */
  readonly shapeKey: string;
  /** The request's `priority` parameter (0 = default). */
  readonly priority: number;
  /** The request's `timeout` parameter in µs (0 = none). */
  readonly timeoutUs: number;
  /** The request's id, only for the `[request id: …] ` prefix of the queue-full error; absent = no prefix. */
  readonly requestId?: string;
}

/** A request failed by the queue itself, with its error. */
export interface Rejection<T> {
  payload: T;
  error: ServerError;
}

/** A queued request. `deadlineUs` is Infinity when it cannot expire (no timeout, or already delayed). */
export interface QueuedRequest<T> {
  readonly payload: T;
  readonly batchSize: number;
  readonly shapeKey: string;
  readonly enqueuedUs: number;
  deadlineUs: number;
}

/** A request is expired from its deadline on (Triton: strictly after, at nanosecond resolution). */
const expired = (deadlineUs: number, nowUs: number): boolean => nowUs >= deadlineUs;

export class LevelQueue<T> {
  private items: QueuedRequest<T>[] = [];
  private readonly delayed: QueuedRequest<T>[] = [];
  // Scan cursor over `items`: valid requests are compacted down to `write` as the cursor passes them, so expired
  // ones leave without an O(n) splice each. `delayedAt` indexes `delayed` once `items` is exhausted.
  private read = 0;
  private write = 0;
  private delayedAt = 0;

  constructor(readonly policy: Readonly<LevelPolicy>) {}

  /** Requests queued in this level (unexpired and delayed). */
  get size(): number {
    return this.items.length + this.delayed.length;
  }

  get full(): boolean {
    return this.policy.maxQueueSize !== 0 && this.size >= this.policy.maxQueueSize;
  }

  /**
   * Queues a request arriving at `nowUs`. Deadline: the level's default timeout, or the request's own timeout when
   * overriding is allowed and it is non-zero and smaller (so it does nothing when the default is 0).
   */
  push(request: Pending<T>, nowUs: number): void {
    const { defaultTimeoutUs, allowTimeoutOverride } = this.policy;
    let timeoutUs = defaultTimeoutUs;
    if (allowTimeoutOverride && request.timeoutUs > 0 && request.timeoutUs < timeoutUs) timeoutUs = request.timeoutUs;
    this.items.push({
      payload: request.payload,
      batchSize: Math.max(1, request.batchSize),
      shapeKey: request.shapeKey,
      enqueuedUs: nowUs,
      deadlineUs: timeoutUs > 0 ? nowUs + timeoutUs : Infinity,
    });
  }

  /** Puts the scan cursor before the first request. */
  startScan(): void {
    this.read = 0;
    this.write = 0;
    this.delayedAt = 0;
  }

  /**
   * The request at the cursor, after applying the policy to expired requests there: REJECT → appended to `rejected`,
   * DELAY → moved to the back of the delayed requests (which the cursor still reaches). undefined at the level's end.
   */
  current(nowUs: number, rejected: Rejection<T>[]): Readonly<QueuedRequest<T>> | undefined {
    while (this.read < this.items.length) {
      const entry = this.items[this.read]!;
      if (!expired(entry.deadlineUs, nowUs)) return entry;
      this.read++;
      if (this.policy.timeoutAction === 'DELAY') {
        entry.deadlineUs = Infinity;
        this.delayed.push(entry);
      } else {
        rejected.push({ payload: entry.payload, error: timeoutExpiredError() });
      }
    }
    return this.delayed[this.delayedAt];
  }

  /** Moves the cursor past the request `current` returned. */
  advance(): void {
    if (this.read < this.items.length) this.items[this.write++] = this.items[this.read++]!;
    else this.delayedAt++;
  }

  /** Closes the scan: drops the holes left by expired requests. */
  endScan(): void {
    if (this.write === this.read) return;
    this.items.copyWithin(this.write, this.read);
    this.items.length -= this.read - this.write;
    this.read = this.write;
  }

  /** Removes the first `count` requests in scan order (unexpired, then delayed); returns how many were removed. */
  dropFront(count: number): number {
    const fromItems = Math.min(count, this.items.length);
    if (fromItems === this.items.length) this.items = [];
    else if (fromItems > 0) this.items.splice(0, fromItems);
    const fromDelayed = Math.min(count - fromItems, this.delayed.length);
    if (fromDelayed > 0) this.delayed.splice(0, fromDelayed);
    return fromItems + fromDelayed;
  }

  /** Fails every expired request under REJECT (Triton's RejectTimeoutRequests; DELAY levels are left alone). */
  rejectExpired(nowUs: number, rejected: Rejection<T>[]): void {
    if (this.policy.timeoutAction !== 'REJECT' || this.policy.defaultTimeoutUs === 0) return;
    this.startScan();
    while (this.read < this.items.length) {
      if (this.current(nowUs, rejected) === undefined) break;
      this.advance();
    }
    this.endScan();
  }

  /** Earliest deadline of a request `rejectExpired` could fail; Infinity when none. */
  nearestRejectDeadline(): number {
    if (this.policy.timeoutAction !== 'REJECT' || this.policy.defaultTimeoutUs === 0) return Infinity;
    let nearest = Infinity;
    for (const entry of this.items) if (entry.deadlineUs < nearest) nearest = entry.deadlineUs;
    return nearest;
  }

  /** Removes a queued request; true when it was here. */
  remove(payload: T): boolean {
    for (const list of [this.items, this.delayed]) {
      const at = list.findIndex((entry) => entry.payload === payload);
      if (at >= 0) {
        list.splice(at, 1);
        return true;
      }
    }
    return false;
  }
}
