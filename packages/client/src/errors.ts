/**
 * The one error every client method throws for a server's refusal or a failed call: the server's message, with the
 * HTTP status (HttpClient) or the gRPC status code (GrpcClient) it came with.
 */
export class InferenceServerError extends Error {
  override readonly name = 'InferenceServerError';

  constructor(
    message: string,
    /** The HTTP status of the response (HttpClient); undefined when no response arrived. */
    readonly status?: number,
    /** The gRPC status code (GrpcClient), e.g. 3 for INVALID_ARGUMENT. */
    readonly grpcCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
