/**
 * One execution inside the worker: read the request from its ring slot (or the side channel), run ONNX Runtime
 * synchronously, write the result over the request (or send it on the side channel when it does not fit).
 */
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import type { StateRow } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { ExternalRequest, ExternalResult } from './messages.ts';
import type { OrtSession } from './ort-session.ts';
import type { SequenceStateStore } from './sequence-state-store.ts';
import { toOrtTensor, viewOrtOutput } from './ort-tensors.ts';
import { EXTERNAL, readRequest, requestKind } from './request-codec.ts';
import { FAILED, OK, writeError, writeExternalStatus, writeOutputs, writeTimings } from './result-codec.ts';
import type { Slot } from './ring-layout.ts';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class SlotExecutor {
  /**
   * `scratch`: ordinary memory of a slot's size, mirroring a slot: numeric inputs are copied there (at their slot
   * offsets, so 8-byte aligned) because onnxruntime-node refuses views of shared memory. One per worker, shared by
   * its sessions: run() is synchronous, so ORT is done with it before the next execution writes it.
   */
  constructor(
    readonly session: OrtSession,
    private readonly runOptions: ort.InferenceSession.RunOptions,
    private readonly side: MessagePort,
    private readonly scratch: Uint8Array,
    /** A model with implicit state: its sequences' state, fed in and kept here. */
    readonly states?: SequenceStateStore,
  ) {}

  execute(slot: Slot): void {
    const t0 = performance.now();
    let t1 = t0;
    let t2 = t0;
    let stateRows: readonly StateRow[] = [];
    try {
      const request = this.request(slot);
      const { inputs, outputNames } = request;
      stateRows = this.states === undefined ? [] : request.states ?? [];
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of inputs) feeds[input.name] = toOrtTensor(input);
      let fetches = outputNames;
      if (stateRows.length > 0) {
        for (const state of this.states!.inputs(stateRows)) feeds[state.name] = toOrtTensor(state);
        fetches = [...outputNames, ...this.states!.outputNames.filter((name) => !outputNames.includes(name))];
      }
      t1 = performance.now();
      const results = this.session.run(feeds, fetches, this.runOptions);
      t2 = performance.now();
      if (stateRows.length > 0) this.states!.keep(stateRows, this.states!.outputNames.map((name) => viewOrtOutput(name, results[name]!)));
      const outputs = outputNames.map((name) => viewOrtOutput(name, results[name]!));
      if (!writeOutputs(slot, outputs)) {
        const owned = outputs.map((o) => ({ ...o, data: o.data.slice() }));
        this.send({ outputs: owned }, owned.map((o) => o.data.buffer as ArrayBuffer));
        writeExternalStatus(slot, OK);
      }
    } catch (error) {
      if (stateRows.length > 0) this.states!.dropEnded(stateRows);
      const message = errorText(error);
      if (!writeError(slot, message)) {
        this.send({ message });
        writeExternalStatus(slot, FAILED);
      }
    }
    const t3 = performance.now();
    writeTimings(slot, {
      startedAtMs: performance.timeOrigin + t0,
      endedAtMs: performance.timeOrigin + t3,
      computeInputNs: Math.round((t1 - t0) * 1e6),
      computeInferNs: Math.round((t2 - t1) * 1e6),
      computeOutputNs: Math.round((t3 - t2) * 1e6),
    });
  }

  /** The request's tensors in ordinary memory (numeric ones copied to the scratch area; BYTES are decoded as is). */
  private request(slot: Slot): ExternalRequest {
    if (requestKind(slot) === EXTERNAL) {
      const received = receiveMessageOnPort(this.side);
      if (received === undefined) throw new Error('the request of a ring slot marked external did not arrive');
      return received.message as ExternalRequest;
    }
    const request = readRequest(slot, this.session.inputNames, this.session.outputNames);
    const inputs: WireTensor[] = request.inputs.map((input) => {
      if (input.datatype === 'BYTES') return input;
      const offset = input.data.byteOffset - slot.bytes.byteOffset;
      this.scratch.set(input.data, offset);
      return { ...input, data: this.scratch.subarray(offset, offset + input.data.byteLength) };
    });
    return { inputs, outputNames: request.outputNames, states: request.states };
  }

  private send(result: ExternalResult, transfer: ArrayBuffer[] = []): void {
    this.side.postMessage(result, transfer);
  }
}
