/**
 * Child process of unload-memory.test.ts: runs the load → infer → unload cycles of bench/load-unload-memory.ts in a
 * process of its own (so the test runner's memory stays out of the figures) and prints the MemoryReport as one JSON
 * line on stdout. Run as: node --expose-gc --import tsx test/repository/unload-memory-child.ts <cycles> <size> [<model> <models>]
 */
import { runLoadUnloadCycles, type BenchModel } from '../../bench/load-unload-memory.ts';

const cycles = Number(process.argv[2] ?? 50);
const size = Number(process.argv[3] ?? 1024);
const model = (process.argv[4] ?? 'matmul') as BenchModel;
const models = Number(process.argv[5] ?? 1);
const report = await runLoadUnloadCycles({ cycles, model, instances: 1, size, models });
process.stdout.write(JSON.stringify(report) + '\n');
