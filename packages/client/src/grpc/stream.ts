/**
 * ModelStreamInfer as an async iterable: send requests while reading the answers, one per ModelStreamInferResponse
 * (a result, or the error of one request, which leaves the stream open). Answers are queued as they arrive, so a
 * reader that starts late misses nothing (reads are not back-pressured, nor are writes).
 */
import type * as grpc from '@grpc/grpc-js';
import { InferenceServerError } from '../errors.ts';
import type { InferInput, InferOptions, InferResult } from '../infer-types.ts';
import { toInferenceServerError } from './call.ts';
import type { ModelInferRequest } from './generated/inference/ModelInferRequest.ts';
import type { ModelStreamInferResponse__Output } from './generated/inference/ModelStreamInferResponse.ts';
import { inferRequest, inferResultOf, sharedMemoryOutputs } from './infer-message.ts';

/** One answer of a stream: a request's result, or its error (the server's message) with the request's ID if it had one. */
export type StreamAnswer =
  | { readonly result: InferResult }
  | { readonly error: InferenceServerError; readonly id?: string };

/**
 * A bidirectional inference stream (GrpcClient.stream). `send` requests, `end` when done, and iterate (once) for the
 * answers: for non-decoupled models one per request, in request order. The iteration finishes when the server ends the
 * stream; a stream-level gRPC error (the status the call ends with) makes it throw InferenceServerError, and the
 * stream's AbortSignal makes it throw the signal's reason. Leaving the loop early cancels the stream.
 */
export class InferStream implements AsyncIterable<StreamAnswer> {
  private readonly queue: StreamAnswer[] = [];
  /** Outputs any request sent asked to have written to shared memory (see inferResultOf). */
  private readonly inSharedMemory = new Set<string>();
  private failure: unknown;
  private finished = false;
  private writable = true;
  private cancelled = false;
  private iterated = false;
  private wake: (() => void) | undefined;

  /** @internal GrpcClient.stream() makes streams. */
  constructor(
    private readonly call: grpc.ClientDuplexStream<ModelInferRequest, ModelStreamInferResponse__Output>,
    signal?: AbortSignal,
  ) {
    const onAbort = (): void => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    call.on('data', (message: ModelStreamInferResponse__Output) => this.push(this.answer(message)));
    // grpc-js ends the readable side, then emits 'error' for a status other than OK; 'end' or 'close' follows the
    // answers still buffered, so the queue is complete when either arrives.
    call.on('error', (error: grpc.ServiceError) => {
      if (signal?.aborted === true) this.failure ??= signal.reason;
      else if (!this.cancelled) this.failure ??= toInferenceServerError(error);
    });
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      this.writable = false;
      this.finished = true;
      this.wakeReader();
    };
    call.on('end', finish);
    call.on('close', finish);
    if (signal?.aborted === true) this.stop();
  }

  /**
   * Sends one request (the options of InferOptions that shape the request; `headers` and `signal` belong to the
   * stream, given to GrpcClient.stream). Throws TypeError for inputs that do not fit their datatype and shape, and
   * Error after end() or cancel().
   */
  send(model: string, inputs: readonly InferInput[], options: InferOptions = {}): void {
    if (!this.writable) throw new Error('the stream no longer takes requests (end() or cancel() was called, or it ended)');
    const request = inferRequest(model, inputs, options);
    for (const name of sharedMemoryOutputs(options)) this.inSharedMemory.add(name);
    this.call.write(request);
  }

  /** Says no more requests follow; the server answers those sent and then ends the stream. */
  end(): void {
    if (!this.writable) return;
    this.writable = false;
    this.call.end();
  }

  /** Cancels the stream: answers not yet received are dropped, and the iteration finishes without an error. */
  cancel(): void {
    if (this.finished) return;
    this.cancelled = true;
    this.stop();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamAnswer> {
    if (this.iterated) throw new Error('an InferStream can be iterated only once');
    this.iterated = true;
    return {
      next: async (): Promise<IteratorResult<StreamAnswer>> => {
        while (this.queue.length === 0 && !this.finished) await new Promise<void>((resolve) => (this.wake = resolve));
        const answer = this.queue.shift();
        if (answer !== undefined) return { value: answer, done: false };
        if (this.failure !== undefined) {
          const failure = this.failure;
          this.failure = undefined;
          throw failure;
        }
        return { value: undefined, done: true };
      },
      return: async (): Promise<IteratorResult<StreamAnswer>> => {
        this.cancel();
        return { value: undefined, done: true };
      },
    };
  }

  /**
   * Cancels the call, half-closing it first: grpc-js 1.14 still opens the HTTP/2 stream of a call cancelled in the
   * tick that created it and never resets it, so the server would wait for requests until the connection closes; a
   * half-closed stream the server ends on its own.
   */
  private stop(): void {
    if (this.writable) this.call.end();
    this.writable = false;
    this.call.cancel();
  }

  private answer(message: ModelStreamInferResponse__Output): StreamAnswer {
    if (message.error_message !== '') {
      const id = message.infer_response?.id;
      return { error: new InferenceServerError(message.error_message), ...(id === undefined || id === '' ? {} : { id }) };
    }
    if (message.infer_response === null) return { error: new InferenceServerError('the server sent a stream response without a result') };
    return { result: inferResultOf(message.infer_response, this.inSharedMemory) };
  }

  private push(answer: StreamAnswer): void {
    this.queue.push(answer);
    this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
