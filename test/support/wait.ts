/**
 * Waiting for what the code under test does, instead of sleeping and hoping: a state it exposes, or an event it
 * publishes on a diagnostics channel. Neither has a deadline of its own: a wait that never ends is the test runner's
 * timeout to report, so a slow (busy) machine only makes a test slower, never wrong.
 */
import type diagnostics from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `condition()` holds. It is checked at once, then about every millisecond (a timer rather than
 * setImmediate, so waiting does not take a core from the instance worker the test is waiting on).
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(1);
}

/**
 * Subscribes to `channel` now and resolves with the first message that `pick` maps to a value other than undefined.
 * Publishers reuse their event objects, so `pick` must copy what it keeps. Subscribe before causing the event.
 */
export function nextMessage<T>(channel: diagnostics.Channel, pick: (message: unknown) => T | undefined): Promise<T> {
  return new Promise<T>((resolve) => {
    const listener = (message: unknown): void => {
      const value = pick(message);
      if (value === undefined) return;
      channel.unsubscribe(listener);
      resolve(value);
    };
    channel.subscribe(listener);
  });
}
