/**
 * System shared memory (Triton's extension): clients register POSIX shared-memory regions by name and then send
 * input tensors in them and receive outputs into them instead of in the request and response bodies.
 *
 * Node has no shm_open or mmap. On Linux, shm_open(key) opens `/dev/shm/<key without its leading '/'>`, so a region is
 * that file, opened once at registration and read and written with positioned reads and writes (pread/pwrite: one
 * copy between the page cache the client mapped and the server's buffers, no body parsing). The checks and texts are
 * tritonserver 2.51's, seen on it: a key that cannot be opened, a region past the end of the object or at an offset
 * mmap would refuse (not a multiple of the page size), a name already registered, a tensor outside its region.
 * One difference: 2.51 refuses a second region on a key already registered (`Invalid shared memory region`: it reuses
 * the first region's descriptor, which it closed after mapping); nereid registers it.
 * A key must name a file directly in /dev/shm (no other '/'), so no request reaches any other file.
 * Regions are closed when unregistered, and by closeAll() at shutdown. Reads and writes are synchronous, so no region
 * is ever closed under one; a request's outputs go to its region when its response is ready, and a region
 * unregistered while the request ran fails that request (Triton keeps the mapping until the request is done).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { ServerError, internal, invalidArg, notFound } from '../protocol/errors.ts';
import type { SharedMemoryPlace } from '../protocol/inference.ts';

/** Where shm_open puts its objects on Linux. */
const SHM_DIR = '/dev/shm/';
/** mmap's offset must be a multiple of the page size. */
const PAGE_SIZE = 4096;

/** A registered region, as status reports it. */
export interface SystemRegionStatus {
  readonly name: string;
  readonly key: string;
  readonly offset: number;
  readonly byteSize: number;
}

interface Region extends SystemRegionStatus {
  readonly fd: number;
}

/** What request decoding needs of the regions: an input tensor's bytes, and a check of an output's place. */
export interface SharedMemoryAccess {
  read(place: SharedMemoryPlace): Uint8Array;
  check(place: SharedMemoryPlace): void;
}

/** Decoding without a server's regions (tools and tests): every region is unknown. */
export const NO_SHARED_MEMORY: SharedMemoryAccess = {
  read: (place) => {
    throw unknownRegion(place.region);
  },
  check: (place) => {
    throw unknownRegion(place.region);
  },
};

function unknownRegion(region: string): ServerError {
  return notFound(`Unable to find shared memory region: '${region}'`);
}

export class SystemSharedMemory implements SharedMemoryAccess {
  private readonly regions = new Map<string, Region>();

  /** Triton's RegisterSystemSharedMemory. */
  register(name: string, key: string, offset: number, byteSize: number): void {
    if (this.regions.has(name)) throw new ServerError('ALREADY_EXISTS', `shared memory region '${name}' already in manager`);
    const file = key.startsWith('/') ? key.slice(1) : key;
    if (file === '' || file.includes('/') || file === '.' || file === '..') throw unableToOpen(key);
    let fd: number;
    try {
      fd = openSync(SHM_DIR + file, 'r+');
    } catch {
      throw unableToOpen(key);
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw internal(`Invalid shared memory region: '${key}'`);
      if (offset + byteSize > stat.size) throw invalidArg(`failed to register shared memory region '${name}': invalid args`);
      // mmap takes offsets in whole pages only (EINVAL otherwise), and Triton reports its strerror so.
      if (offset % PAGE_SIZE !== 0) {
        throw invalidArg(`failed to register shared memory region '${name}': unable to process address spaceInvalid argument`);
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.regions.set(name, { name, key, offset, byteSize, fd });
  }

  /** Triton's Unregister: an unknown name is not an error. */
  unregister(name: string): void {
    const region = this.regions.get(name);
    if (region === undefined) return;
    this.regions.delete(name);
    closeSync(region.fd);
  }

  unregisterAll(): void {
    for (const name of [...this.regions.keys()]) this.unregister(name);
  }

  /** Every region, or the one named (NOT_FOUND with Triton's text when it is not registered). */
  status(name = ''): SystemRegionStatus[] {
    const view = (r: Region): SystemRegionStatus => ({ name: r.name, key: r.key, offset: r.offset, byteSize: r.byteSize });
    if (name === '') return [...this.regions.values()].map(view);
    const region = this.regions.get(name);
    if (region === undefined) throw notFound(`Unable to find system shared memory region: '${name}'`);
    return [view(region)];
  }

  /** Checks that [offset, offset + byteSize) lies inside a registered region (Triton's GetMemoryInfo). */
  check(place: SharedMemoryPlace): void {
    this.regionFor(place);
  }

  /** A copy of the bytes at `place` (an input tensor). */
  read(place: SharedMemoryPlace): Uint8Array {
    const region = this.regionFor(place);
    const data = new Uint8Array(place.byteSize);
    let done = 0;
    while (done < data.byteLength) {
      const n = readSync(region.fd, data, done, data.byteLength - done, region.offset + place.offset + done);
      if (n === 0) throw internal(`shared memory region '${place.region}' ended before its registered size`);
      done += n;
    }
    return data;
  }

  /** Writes `data` at `place` (an output tensor; the caller checked that it fits). */
  write(place: SharedMemoryPlace, data: Uint8Array): void {
    const region = this.regionFor(place);
    let done = 0;
    while (done < data.byteLength) done += writeSync(region.fd, data, done, data.byteLength - done, region.offset + place.offset + done);
  }

  /** Closes every region (shutdown). */
  closeAll(): void {
    this.unregisterAll();
  }

  private regionFor(place: SharedMemoryPlace): Region {
    const region = this.regions.get(place.region);
    if (region === undefined) throw unknownRegion(place.region);
    if (place.offset >= region.byteSize) throw invalidArg(`Invalid offset for shared memory region: '${place.region}'`);
    if (place.offset + place.byteSize > region.byteSize) {
      throw invalidArg(`Invalid offset + byte size for shared memory region: '${place.region}'`);
    }
    return region;
  }
}

function unableToOpen(key: string): ServerError {
  return internal(`Unable to open shared memory region: '${key}'`);
}
