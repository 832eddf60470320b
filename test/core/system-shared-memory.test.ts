/**
 * The system shared-memory regions: a key names a file directly in /dev/shm and nothing else (no path can reach another
 * file), Triton's registration checks, reads and writes at the region's offset, and unregistering closing the file.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { SystemSharedMemory } from '../../src/core/system-shared-memory.ts';

const KEY = `/nereid_unit_${process.pid}`;
writeFileSync(`/dev/shm${KEY}`, Buffer.alloc(16384));
after(() => rmSync(`/dev/shm${KEY}`, { force: true }));

function throwsWith(run: () => unknown, code: string, message: string): void {
  assert.throws(run, (error: Error & { code?: string }) => error.code === code && error.message === message);
}

describe('system shared memory regions', () => {
  it('opens only files directly in /dev/shm: a key with a path in it is refused as Triton refuses a missing one', () => {
    const shm = new SystemSharedMemory();
    for (const key of ['/../etc/passwd', '/a/b', '..', '/', '', '/.']) {
      throwsWith(() => shm.register('r', key, 0, 1), 'INTERNAL', `Unable to open shared memory region: '${key}'`);
    }
    assert.deepEqual(shm.status(), []);
  });

  it("checks a registration as tritonserver 2.51 does, with its texts", () => {
    const shm = new SystemSharedMemory();
    throwsWith(() => shm.register('r', KEY, 0, 16385), 'INVALID_ARG', "failed to register shared memory region 'r': invalid args");
    throwsWith(() => shm.register('r', KEY, 100, 16), 'INVALID_ARG', "failed to register shared memory region 'r': unable to process address spaceInvalid argument");
    shm.register('r', KEY, 4096, 64);
    throwsWith(() => shm.register('r', KEY, 0, 16), 'ALREADY_EXISTS', "shared memory region 'r' already in manager");
    assert.deepEqual(shm.status('r'), [{ name: 'r', key: KEY, offset: 4096, byteSize: 64 }]);
    shm.closeAll();
  });

  it("reads and writes at the region's offset, within the region only, until it is unregistered", () => {
    const shm = new SystemSharedMemory();
    shm.register('r', KEY, 4096, 64);
    shm.write({ region: 'r', offset: 8, byteSize: 4 }, Uint8Array.of(1, 2, 3, 4));
    assert.deepEqual([...readFileSync(`/dev/shm${KEY}`).subarray(4104, 4108)], [1, 2, 3, 4]);
    assert.deepEqual([...shm.read({ region: 'r', offset: 8, byteSize: 4 })], [1, 2, 3, 4]);
    throwsWith(() => shm.read({ region: 'r', offset: 64, byteSize: 1 }), 'INVALID_ARG', "Invalid offset for shared memory region: 'r'");
    throwsWith(() => shm.read({ region: 'r', offset: 60, byteSize: 8 }), 'INVALID_ARG', "Invalid offset + byte size for shared memory region: 'r'");
    shm.unregister('r');
    shm.unregister('r');
    throwsWith(() => shm.read({ region: 'r', offset: 0, byteSize: 1 }), 'NOT_FOUND', "Unable to find shared memory region: 'r'");
    throwsWith(() => shm.status('r'), 'NOT_FOUND', "Unable to find system shared memory region: 'r'");
  });
});
