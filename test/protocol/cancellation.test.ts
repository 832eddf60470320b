import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientGone } from '../../src/protocol/cancellation.ts';

describe('ClientGone (the per-request client-gone signal)', () => {
  it('runs each listener once, in order, when aborted; later aborts do nothing', () => {
    const gone = new ClientGone();
    const calls: string[] = [];
    gone.addEventListener('abort', () => calls.push('a'));
    gone.addEventListener('abort', () => calls.push('b'));
    assert.equal(gone.aborted, false);
    gone.abort();
    gone.abort();
    assert.equal(gone.aborted, true);
    assert.deepEqual(calls, ['a', 'b']);
  });

  it('does not run a removed listener, nor one added after the abort', () => {
    const gone = new ClientGone();
    const calls: string[] = [];
    const removed = (): void => void calls.push('removed');
    gone.addEventListener('abort', removed);
    gone.addEventListener('abort', () => calls.push('kept'));
    gone.removeEventListener('abort', removed);
    gone.abort();
    gone.addEventListener('abort', () => calls.push('late'));
    assert.deepEqual(calls, ['kept']);
  });
});
