// Entry file of every instance worker when the server runs from the TypeScript sources (tests, scripts): worker
// threads do not inherit tsx's loader, so it is registered here before the worker module is imported. The compiled
// server (dist/) never loads this file: its workers run dist/instance/worker-entry.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
