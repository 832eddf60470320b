/**
 * nereid's public entry (the package's `exports`): what an embedding program may use. createServer makes a server
 * from the same tritonserver-style flags as the `nereid` command (or from parseOptions' result), starts and stops it,
 * and hands out its data plane for in-process inference, metadata and repository control. createApp + startEndpoints
 * + shutDown are the lower-level steps it is made of. Everything else under src/ is internal and may change without
 * notice.
 */
export { createServer, type NereidServer, type ServerPorts } from './server.ts';
export type { DataPlane } from './core/data-plane.ts';
export type { LogSettings } from './core/log-settings.ts';
export type { IndexEntry, LoadOverrides } from './core/model-control.ts';
export type { ModelMetadata, TensorMetadata } from './core/model-queries.ts';
export type { ServerMetadata } from './core/server-metadata.ts';
export type { InferRequest, InferResponse, InputTensor, OutputTensor, Parameters } from './protocol/inference.ts';
export { ServerError, type ErrorCode } from './protocol/errors.ts';
export { parseOptions } from './options/parse-options.ts';
export { helpText } from './options/help-text.ts';
export { OptionsError, type ServerOptions } from './options/server-options.ts';
export { createApp, startEndpoints, shutDown, type App, type Endpoints } from './app.ts';
