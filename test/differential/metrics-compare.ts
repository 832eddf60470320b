/**
 * Prometheus text from both servers, reduced to what must agree: the metric families (HELP/TYPE names, nereid's own
 * nereid_* families left out) and the values of the counters a known request sequence fixes.
 */
import { httpCall } from './http-probe.ts';

const COUNTERS = /^(nv_inference_(request_success|request_failure|count|exec_count|pending_request_count)|nv_cache_num_(hits|misses)_per_model)\{/;

export interface MetricsView {
  families: string[];
  counters: Record<string, string>;
}

export function metricsView(text: string): MetricsView {
  const families = new Set<string>();
  const counters: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const family = /^# (?:HELP|TYPE) (\S+)/.exec(line);
    if (family) {
      if (!family[1]!.startsWith('nereid_')) families.add(family[1]!);
    } else if (COUNTERS.test(line)) {
      const [, name, labels, value] = /^(\w+)\{(.*)\} (\S+)$/.exec(line)!;
      // Label order is not significant in the exposition format.
      counters[`${name}{${labels!.split(',').sort().join(',')}}`] = value!;
    }
  }
  return { families: [...families].sort(), counters };
}

/** A case body for run-corpus: GET /metrics, compared as a MetricsView. */
export async function fetchMetricsView(hostPort: string): Promise<MetricsView> {
  const answer = await httpCall(hostPort, { method: 'GET', path: '/metrics' });
  return metricsView(answer.body.toString('utf8'));
}
