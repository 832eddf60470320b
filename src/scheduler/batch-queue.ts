/**
 * The dynamic batcher's queue and batch formation (Triton's DynamicBatchScheduler::GetDynamicBatch over its
 * PriorityQueue), pure and clock-driven: no timers and no clock reads; every call is told the time (`nowUs`). The glue
 * calls `next` whenever an instance is free (and again at `wakeAtUs`), `expire` while none is.
 *
 * Batch formation, per call: scan from the oldest request of the highest-priority level (level 1 first, FIFO inside a
 * level, a level's delayed requests after its unexpired ones), applying the timeout policy to expired requests met on
 * the way. Requests are never split; the scan stops before a request that would exceed max_batch_size or whose shape
 * key differs from the batch's first request. It remembers the largest prefix of a preferred size, or else the prefix
 * before the size would first pass the largest preferred size. Then: that prefix goes now unless the oldest request
 * has waited max_queue_delay; otherwise everything scanned goes now when the scan stopped early, reached the largest
 * preferred size, the delay is 0 or has passed; otherwise wait until the delay passes or a request times out.
 */
import type { BatcherSettings } from '../core/batching-plan.ts';
import { LevelQueue, type Pending, type Rejection } from './priority-queues.ts';
import { queueFullError } from './queue-errors.ts';

export type { Pending, Rejection } from './priority-queues.ts';

export interface Decision<T> {
  /** Requests to run now as one batch, in the order Triton takes them (may be empty). */
  readonly batch: T[];
  /** Requests that failed while scanning (timeouts under REJECT), with their ServerError. */
  readonly rejected: Rejection<T>[];
  /**
   * When `batch` is empty: the time to call `next` again (the earlier of the oldest request's delay expiry and the
   * nearest timeout); undefined = only on the next arrival.
   */
  readonly wakeAtUs?: number;
}

export class BatchQueue<T> {
  private readonly levels: LevelQueue<T>[];
  private readonly preferred: ReadonlySet<number>;
  private readonly maxPreferred: number;
  private count = 0;

  constructor(readonly settings: Readonly<BatcherSettings>) {
    this.levels = settings.levels.map((policy) => new LevelQueue<T>(policy));
    if (this.levels.length === 0) throw new RangeError('a batch queue needs at least one level');
    const preferred = settings.preferredBatchSizes.length > 0 ? settings.preferredBatchSizes : [settings.maxBatchSize];
    this.preferred = new Set(preferred);
    this.maxPreferred = Math.max(...preferred);
  }

  /** Requests queued, all levels. */
  get size(): number {
    return this.count;
  }

  /**
   * Queues a request arriving at `nowUs` in its level: priority 0 or beyond `priorityLevels` → the default level.
   * Throws ServerError UNAVAILABLE `Exceeds maximum queue size` when that level already holds max_queue_size requests.
   */
  add(request: Pending<T>, nowUs: number): void {
    const level = this.levels[this.levelIndex(request.priority)]!;
    if (level.full) throw queueFullError(request.requestId);
    level.push(request, nowUs);
    this.count++;
  }

  /** Removes a queued request (its client went away); true when it was queued. */
  remove(payload: T): boolean {
    for (const level of this.levels) {
      if (level.remove(payload)) {
        this.count--;
        return true;
      }
    }
    return false;
  }

  /**
   * Decides what a free instance runs now (see the file comment). The returned batch and rejected requests leave the
   * queue; requests expired under DELAY stay, moved behind their level's unexpired requests.
   */
  next(nowUs: number): Decision<T> {
    const { maxBatchSize, maxQueueDelayUs } = this.settings;
    const batch: T[] = [];
    const rejected: Rejection<T>[] = [];
    let batchSize = 0;
    let markCount = 0; // requests in the remembered prefix; 0 = none
    let stoppedEarly = false;
    let shapeKey = '';
    let oldestUs = Infinity;
    let nearestDeadlineUs = Infinity;

    for (const level of this.levels) {
      level.startScan();
      for (let request = level.current(nowUs, rejected); request !== undefined; request = level.current(nowUs, rejected)) {
        const size = request.batchSize;
        if (batch.length === 0) {
          shapeKey = request.shapeKey;
        } else {
          if (batchSize + size > this.maxPreferred && markCount === 0) markCount = batch.length;
          if (batchSize + size > maxBatchSize || request.shapeKey !== shapeKey) {
            stoppedEarly = true;
            break;
          }
        }
        batch.push(request.payload);
        batchSize += size;
        if (request.enqueuedUs < oldestUs) oldestUs = request.enqueuedUs;
        if (request.deadlineUs < nearestDeadlineUs) nearestDeadlineUs = request.deadlineUs;
        level.advance();
        if (this.preferred.has(batchSize)) markCount = batch.length;
      }
      level.endScan();
      if (stoppedEarly) break;
    }
    this.count -= rejected.length;

    const delayPassed = maxQueueDelayUs !== 0 && nowUs - oldestUs >= maxQueueDelayUs;
    let take: number;
    if (markCount > 0 && !delayPassed) take = markCount;
    else if (batch.length === 0) return { batch, rejected };
    else if (stoppedEarly || batchSize >= this.maxPreferred || delayPassed || maxQueueDelayUs === 0) take = batch.length;
    else {
      batch.length = 0;
      return { batch, rejected, wakeAtUs: Math.min(oldestUs + maxQueueDelayUs, nearestDeadlineUs) };
    }

    batch.length = take;
    for (const level of this.levels) {
      if (take === 0) break;
      take -= level.dropFront(take);
    }
    this.count -= batch.length;
    return { batch, rejected };
  }

  /** Fails expired requests of REJECT levels without forming a batch (while no instance is free). */
  expire(nowUs: number): Rejection<T>[] {
    const rejected: Rejection<T>[] = [];
    for (const level of this.levels) level.rejectExpired(nowUs, rejected);
    this.count -= rejected.length;
    return rejected;
  }

  /**
   * Earliest deadline among queued requests that `expire` would fail (REJECT levels; DELAY levels only reorder, which
   * matters to `next` alone), for the glue's timer while all instances are busy; undefined when none.
   */
  nearestDeadlineUs(): number | undefined {
    let nearest = Infinity;
    for (const level of this.levels) nearest = Math.min(nearest, level.nearestRejectDeadline());
    return nearest === Infinity ? undefined : nearest;
  }

  private levelIndex(priority: number): number {
    const { priorityLevels, defaultPriorityLevel } = this.settings;
    if (priorityLevels === 0) return 0;
    const level = Number.isInteger(priority) && priority >= 1 && priority <= priorityLevels ? priority : defaultPriorityLevel;
    return Math.min(Math.max(level, 1), this.levels.length) - 1;
  }
}
