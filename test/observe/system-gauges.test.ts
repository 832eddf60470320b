import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuUtilization, parseMemInfo, parseProcStat } from '../../src/observe/system-gauges.ts';

describe('host gauges', () => {
  it('splits the aggregate /proc/stat line into busy and idle time as Triton does', () => {
    const text = 'cpu  100 5 50 1000 20 3 2 1 7 0\ncpu0 50 2 25 500 10 1 1 0 3 0\nintr 1 2 3\n';
    // busy = user+nice+system+irq+softirq+steal; idle = idle+iowait; guest is inside user already.
    assert.deepEqual(parseProcStat(text), { busy: 100 + 5 + 50 + 3 + 2 + 1, idle: 1000 + 20 });
    assert.equal(parseProcStat('cpu0 1 2 3 4 5 6 7 8\n'), undefined);
    assert.equal(parseProcStat('cpu  1 2 3\n'), undefined);
    assert.equal(parseProcStat(''), undefined);
  });

  it('computes utilization over the time between two samples', () => {
    assert.equal(cpuUtilization({ busy: 100, idle: 100 }, { busy: 130, idle: 170 }), 0.3);
    assert.equal(cpuUtilization({ busy: 100, idle: 100 }, { busy: 100, idle: 200 }), 0);
    assert.equal(cpuUtilization({ busy: 100, idle: 100 }, { busy: 150, idle: 100 }), 1);
    // No time accounted in between: no figure (the gauge keeps its previous one).
    assert.equal(cpuUtilization({ busy: 100, idle: 100 }, { busy: 100, idle: 100 }), undefined);
    // A counter going backwards (a wrap, a reset) counts as no time.
    assert.equal(cpuUtilization({ busy: 100, idle: 100 }, { busy: 50, idle: 150 }), 0);
  });

  it('reads total and used memory (total - available) from /proc/meminfo in bytes', () => {
    const text = 'MemTotal:       16000 kB\nMemFree:         1000 kB\nMemAvailable:    4000 kB\nBuffers: 10 kB\n';
    assert.deepEqual(parseMemInfo(text), { total: 16000 * 1024, used: 12000 * 1024 });
    assert.equal(parseMemInfo('MemTotal: 10 kB\n'), undefined);
    assert.equal(parseMemInfo('MemTotal: 10 kB\nMemAvailable: 20 kB\n'), undefined);
  });
});
