/**
 * Keeps the machine's cores busy for a test file: child processes spinning in a loop, started before the tests and
 * killed after them (and on exit, should the file end abnormally).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before } from 'node:test';

/** Spawns `count` busy-looping processes before the file's tests; kills them after. */
export function keepCoresBusy(count = 2): void {
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  before(async () => {
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, ['-e', 'process.stdout.write("spinning\\n"); for (;;) {}'], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await once(child.stdout!, 'data'); // spinning from here on
    }
  });
  after(async () => {
    const exits = children.map((child) => (child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve()));
    killAll();
    await Promise.all(exits);
    process.off('exit', killAll);
  });
}
