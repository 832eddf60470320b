// Entry file of every instance worker. Worker threads do not inherit tsx's loader, so when the server runs from the
// TypeScript sources the loader is registered here before the worker module is imported.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
