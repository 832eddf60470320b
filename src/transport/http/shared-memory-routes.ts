/**
 * The shared-memory extensions over HTTP, as tritonserver 2.51 answers them (each text seen on it):
 * `/v2/{system,cuda}sharedmemory[/region/<name>]/status` (GET), `.../region/<name>/register`,
 * `.../region/<name>/unregister` and `.../unregister` (POST); 405 for any other method. Register and unregister answer
 * 200 with an empty body as application/json. A register body is parsed as Triton does: `key` (system) or `raw_handle`
 * (CUDA) first, then the optional `offset` and the required `byte_size`, with TritonJson's type errors. Without a GPU a
 * CUDA region can never be registered: a handle that is not 64 bytes of base64 is refused as malformed, any other as
 * invalid, as a CPU-only tritonserver does.
 */
import type { Express, Request, Response } from 'express';
import type { DataPlane } from '../../core/data-plane.ts';
import { internal, invalidArg } from '../../protocol/errors.ts';
import { hasMember, isUint, NOT_STRING, NOT_UINT } from './json-fields.ts';
import { readBody } from './request-body.ts';
import { parseRequestJson } from './request-json.ts';
import { sendEmpty, sendError, sendErrorMessage, sendJson } from './responses.ts';

/** What the shared-memory routes need: the data plane and the body size limit. */
export interface SharedMemoryRoutesContext {
  readonly dataPlane: DataPlane;
  /** --http-max-input-size in bytes. */
  readonly maxInputSize: number;
}

type Handler = (req: Request, res: Response, body: Buffer) => void;

export function registerSharedMemoryRoutes(app: Express, ctx: SharedMemoryRoutesContext): void {
  const route = (path: string, method: 'get' | 'post', handler: Handler): void => {
    const run = async (req: Request, res: Response): Promise<void> => {
      try {
        handler(req, res, method === 'post' ? await readBody(req, ctx.maxInputSize) : Buffer.alloc(0));
      } catch (error) {
        sendError(res, error);
      }
    };
    const chain = app.route(path);
    (method === 'get' ? chain.get(run) : chain.post(run)).all((_req: Request, res: Response) => sendErrorMessage(res, 405, 'Method Not Allowed'));
  };
  const plane = ctx.dataPlane;
  const name = (req: Request): string => String(req.params.name ?? '');
  const done = (res: Response): void => sendEmpty(res, 200, 'application/json');

  const systemStatus: Handler = (req, res) => {
    sendJson(res, 200, plane.systemSharedMemoryStatus(name(req)).map((r) => ({ name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize })));
  };
  route('/v2/systemsharedmemory/status', 'get', systemStatus);
  route('/v2/systemsharedmemory/region/:name/status', 'get', systemStatus);
  route('/v2/systemsharedmemory/region/:name/register', 'post', (req, res, body) => {
    const root = parseRequestJson(body).root;
    if (!hasMember(root, 'key')) throw invalidArg("Shared memory register request has no 'key' field");
    const key = root.key;
    if (typeof key !== 'string') throw internal(NOT_STRING);
    const offset = hasMember(root, 'offset') ? uint(root.offset) : 0;
    if (!hasMember(root, 'byte_size')) throw invalidArg("Shared memory register request has no 'byte_size' field");
    plane.registerSystemSharedMemory(name(req), key, offset, uint(root.byte_size));
    done(res);
  });
  route('/v2/systemsharedmemory/region/:name/unregister', 'post', (req, res) => {
    plane.unregisterSystemSharedMemory(name(req));
    done(res);
  });
  route('/v2/systemsharedmemory/unregister', 'post', (_req, res) => {
    plane.unregisterSystemSharedMemory();
    done(res);
  });

  const cudaStatus: Handler = (req, res) => sendJson(res, 200, plane.cudaSharedMemoryStatus(name(req)));
  route('/v2/cudasharedmemory/status', 'get', cudaStatus);
  route('/v2/cudasharedmemory/region/:name/status', 'get', cudaStatus);
  route('/v2/cudasharedmemory/region/:name/register', 'post', (_req, _res, body) => {
    const root = parseRequestJson(body).root;
    if (!hasMember(root, 'raw_handle')) throw invalidArg("Shared memory register request has no 'raw_handle' field");
    const handle = root.raw_handle;
    if (!hasMember(handle, 'b64')) throw internal("attempt to access non-existing object member 'b64'");
    if (typeof handle.b64 !== 'string') throw internal(NOT_STRING);
    if (Buffer.from(handle.b64, 'base64').length !== 64) {
      throw invalidArg("'raw_handle' must be a valid base64 encoded cudaIpcMemHandle_t");
    }
    throw invalidArg('failed to register shared memory region: invalid args');
  });
  route('/v2/cudasharedmemory/region/:name/unregister', 'post', (_req, res) => done(res));
  route('/v2/cudasharedmemory/unregister', 'post', (_req, res) => done(res));
}

function uint(value: unknown): number {
  if (!isUint(value)) throw internal(NOT_UINT);
  return value;
}
