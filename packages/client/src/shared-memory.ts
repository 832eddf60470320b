/**
 * System shared memory for the v2 protocol's shared-memory extension (Node.js on Linux): a region is the file
 * `/dev/shm/<key>` (what shm_open opens), written and read with positioned I/O. Create a region, write the inputs,
 * register it with the server (client.registerSystemSharedMemory), point inputs and outputs at it (`sharedMemory` in
 * InferInput / RequestedOutput), then read the outputs back. Works against nereid and tritonserver alike.
 */
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { bytesOf, ELEMENT_SIZE, isNumeric, viewAs, type Datatype, type NumericArray, type NumericArrays, type NumericDatatype } from './datatypes.ts';
import { decodeBytesTensor, encodeBytesTensor } from './bytes-tensor.ts';

const SHM_DIR = '/dev/shm/';

export class SharedMemoryRegion {
  private fd: number | undefined;

  private constructor(
    /** The key the server opens (`/name`). */
    readonly key: string,
    readonly byteSize: number,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Creates (or truncates) `/dev/shm/<key>` with `byteSize` zero bytes. `key` is `/name` or `name`. */
  static create(key: string, byteSize: number): SharedMemoryRegion {
    const name = key.replace(/^\/+/, '');
    if (name === '' || name.includes('/')) throw new RangeError(`shared-memory key '${key}' must be one name, such as '/input0'`);
    const fd = openSync(SHM_DIR + name, 'w+', 0o600);
    ftruncateSync(fd, byteSize);
    return new SharedMemoryRegion(`/${name}`, byteSize, fd);
  }

  /** Writes a typed array or raw bytes at `offset`; returns the byte count written. */
  write(data: NumericArray | Uint8Array, offset = 0): number {
    const bytes = data instanceof Uint8Array ? data : bytesOf(data);
    this.check(offset, bytes.byteLength);
    return writeSync(this.handle(), bytes, 0, bytes.byteLength, offset);
  }

  /** Writes BYTES elements (length-prefixed) at `offset`; returns the byte count written. */
  writeBytes(elements: readonly (string | Uint8Array)[], offset = 0): number {
    return this.write(encodeBytesTensor(elements), offset);
  }

  /** Reads `byteLength` bytes at `offset` (a copy). */
  read(byteLength: number, offset = 0): Uint8Array {
    this.check(offset, byteLength);
    const out = new Uint8Array(byteLength);
    readSync(this.handle(), out, 0, byteLength, offset);
    return out;
  }

  /** Reads a numeric tensor of `count` elements of `datatype` at `offset`. */
  readTensor<D extends NumericDatatype>(datatype: D, count: number, offset = 0): NumericArrays[D] {
    if (!isNumeric(datatype as Datatype)) throw new TypeError(`${datatype} is not numeric: use readBytes`);
    return viewAs(datatype, this.read(count * ELEMENT_SIZE[datatype], offset));
  }

  /** Reads `byteLength` bytes of BYTES elements at `offset`. */
  readBytes(byteLength: number, offset = 0): Uint8Array[] {
    return decodeBytesTensor(this.read(byteLength, offset));
  }

  /** Closes the file and removes it from /dev/shm (unregister it from the server first). */
  destroy(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    try {
      unlinkSync(SHM_DIR + this.key.slice(1));
    } catch {
      // already gone
    }
  }

  private handle(): number {
    if (this.fd === undefined) throw new Error(`shared-memory region ${this.key} was destroyed`);
    return this.fd;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.byteSize) throw new RangeError(`${length} bytes at offset ${offset} do not fit region ${this.key} of ${this.byteSize} bytes`);
  }
}
