/**
 * The instance workers: a fixed number per device (the CPU, each GPU), each hosting the ONNX Runtime sessions of any
 * number of model instances, so that threads and memory follow the machine rather than the number of models.
 *
 * How Triton's instance semantics map onto it:
 * - Every model instance owns its own session (never shared, never run concurrently with itself), placed on one
 *   worker of its device. A worker runs one execution at a time, so a model runs at most min(instances, workers)
 *   executions in parallel; its instances are spread over the workers that host fewest of its own, then fewest of all.
 * - An instance is available when its worker is idle, and can stage one execution when its worker runs exactly one:
 *   models sharing a worker take turns, and a worker coming free tells its residents in rotating order so that none
 *   is always served last.
 * - A worker is started when a session is first placed on it and ended when its last session leaves (so unloading
 *   every model leaves no thread behind). A worker that dies is replaced at once and each of its residents recreates
 *   its session on the replacement (model-instance.ts).
 */
import os from 'node:os';
import { log } from '../observe/log.ts';
import { WorkerClient } from './worker-client.ts';

/** What a worker tells the model instances it hosts. */
export interface Resident {
  /** Which model (and version) the resident belongs to: its instances are spread over the workers. */
  readonly modelKey: string;
  /** The worker can take an execution (it became idle, or runs one with nothing staged). */
  workerAvailable(): void;
  /** The worker died; its executions have already failed. `replacement` hosts the resident from now on. */
  workerReplaced(replacement: PoolWorker, reason: string): void;
}

/** One worker thread of the pool and the instances it hosts. */
export class PoolWorker {
  private readonly members = new Set<Resident>();
  /** The residents as an array for the availability rounds (rebuilt after a change). */
  private order: Resident[] | undefined;
  /** Executions handed to this worker through its residents and not yet settled. */
  inflight = 0;
  /** Where the next availability round starts among the residents. */
  private nextFirst = 0;

  constructor(
    readonly client: WorkerClient,
    readonly device: string,
    readonly index: number,
  ) {}

  get available(): boolean {
    return this.inflight === 0;
  }

  get canStage(): boolean {
    return this.inflight === 1;
  }

  get residents(): ReadonlySet<Resident> {
    return this.members;
  }

  add(resident: Resident): void {
    this.members.add(resident);
    this.order = undefined;
  }

  remove(resident: Resident): void {
    this.members.delete(resident);
    this.order = undefined;
  }

  /**
   * Tells the residents the worker can take work, starting one further each time, until it has one running and one
   * staged (the rest could not take anything; they hear again when it frees).
   */
  notifyAvailable(): void {
    const order = (this.order ??= [...this.members]);
    if (order.length === 0) return;
    const first = this.nextFirst++ % order.length;
    for (let i = 0; i < order.length && this.inflight < 2; i++) order[(first + i) % order.length]!.workerAvailable();
  }
}

export interface PoolOptions {
  /** Workers per device (the CPU, each GPU); at least 1. */
  readonly workersPerDevice: number;
  /** Cores the CPU workers share (defaults to the machine's). */
  readonly cores?: number;
}

/** The default number of workers per device: one per core, so the CPU workers never outnumber the cores. */
export function defaultWorkersPerDevice(): number {
  return os.availableParallelism();
}

export class InstancePool {
  private readonly workersPerDevice: number;
  private readonly cores: number;
  /** Each device's worker slots (a slot is empty while no session lives there). */
  private readonly devices = new Map<string, (PoolWorker | undefined)[]>();
  /** Where each resident lives now. */
  private readonly homes = new Map<Resident, PoolWorker>();

  constructor(options: PoolOptions) {
    if (!Number.isInteger(options.workersPerDevice) || options.workersPerDevice < 1) {
      throw new RangeError(`the instance pool needs at least one worker per device, got ${options.workersPerDevice}`);
    }
    this.workersPerDevice = options.workersPerDevice;
    this.cores = options.cores ?? os.availableParallelism();
  }

  /**
   * ONNX Runtime intra-op threads per session when the config does not say: the cores split between the CPU workers,
   * so that every worker running at once uses the machine once (sessions with one thread start no thread of their own).
   */
  get intraOpThreads(): number {
    return Math.max(1, Math.floor(this.cores / this.workersPerDevice));
  }

  /** Worker threads alive now (for tests and the benchmark). */
  get workerCount(): number {
    let count = 0;
    for (const slots of this.devices.values()) for (const worker of slots) if (worker !== undefined) count++;
    return count;
  }

  /**
   * Places a resident on a worker of `device` ('cpu', or 'gpu:<id>'): the one hosting fewest of its model's instances,
   * then fewest residents, then the lowest index; a worker is started in an empty slot.
   */
  place(resident: Resident, device: string): PoolWorker {
    const slots = this.slotsOf(device);
    let best = -1;
    let bestScore = [Infinity, Infinity];
    for (let i = 0; i < slots.length; i++) {
      const worker = slots[i];
      const own = worker === undefined ? 0 : [...worker.residents].filter((r) => r.modelKey === resident.modelKey).length;
      const all = worker?.residents.size ?? 0;
      if (own < bestScore[0]! || (own === bestScore[0] && all < bestScore[1]!)) [best, bestScore] = [i, [own, all]];
    }
    const worker = slots[best] ?? this.startWorker(device, best);
    worker.add(resident);
    this.homes.set(resident, worker);
    return worker;
  }

  /**
   * Removes a resident. A worker left with none is ended one turn of the event loop later unless a resident was placed
   * there meanwhile (a model's inspection session leaves just before its instances arrive). Resolves once that is
   * decided and, when the worker ends, once its thread has ended.
   */
  async release(resident: Resident): Promise<void> {
    const worker = this.homes.get(resident);
    if (worker === undefined) return;
    this.homes.delete(resident);
    worker.remove(resident);
    if (worker.residents.size > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
    const slots = this.devices.get(worker.device);
    if (worker.residents.size > 0 || slots?.[worker.index] !== worker) return;
    slots[worker.index] = undefined;
    await worker.client.terminate();
  }

  /** Ends a worker the way a crash would (for operators' tooling and tests); its residents move to a replacement. */
  async kill(worker: PoolWorker): Promise<void> {
    const ended = worker.client.terminate('the instance worker was killed');
    this.replace(worker, 'worker was killed');
    await ended;
  }

  private slotsOf(device: string): (PoolWorker | undefined)[] {
    let slots = this.devices.get(device);
    if (slots === undefined) {
      slots = new Array<PoolWorker | undefined>(this.workersPerDevice).fill(undefined);
      this.devices.set(device, slots);
    }
    return slots;
  }

  private startWorker(device: string, index: number): PoolWorker {
    const worker = new PoolWorker(WorkerClient.launch(`nereid ${device} worker ${index}`), device, index);
    worker.client.onUnexpectedExit = (reason) => this.replace(worker, reason);
    this.slotsOf(device)[index] = worker;
    return worker;
  }

  /** Starts a replacement in the dead worker's slot and moves its residents there. */
  private replace(dead: PoolWorker, reason: string): void {
    const slots = this.slotsOf(dead.device);
    if (slots[dead.index] !== dead) return;
    slots[dead.index] = undefined;
    if (dead.residents.size === 0) return;
    log.error(`instance worker ${dead.index} (${dead.device}) ended: ${reason}; starting a replacement for its ${dead.residents.size} session(s)`);
    const replacement = this.startWorker(dead.device, dead.index);
    const moving = [...dead.residents];
    for (const resident of moving) {
      dead.remove(resident);
      replacement.add(resident);
      this.homes.set(resident, replacement);
    }
    for (const resident of replacement.residents) resident.workerReplaced(replacement, reason);
  }
}
