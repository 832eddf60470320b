/**
 * nereid's own gray-release metrics, in the server's registry beside Triton's families:
 *   nereid_release_routed_total{model,version,route}       requests that named no version, by where routing sent them
 *   nereid_release_rollbacks_total{model,version,trigger}  the guard's rollbacks
 *   nereid_release_rolled_back{model,version}              1 while a version is rolled back
 *   nereid_shadow_requests_total{model,primary_version,shadow_version,outcome}   compared, failed or dropped copies
 *   nereid_shadow_max_abs_diff / nereid_shadow_mean_abs_diff{model,primary_version,shadow_version,output}   histograms
 *   nereid_shadow_argmax_agreement{...,output}             histogram of the share of rows agreeing (classifier outputs)
 *   nereid_shadow_incomparable_total{...,output}           outputs whose shape or datatype differed
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  guardChannel,
  releaseRouteChannel,
  shadowChannel,
  type GuardEvent,
  type ReleaseRouteEvent,
  type ShadowEvent,
} from '../core/inference-events.ts';

const DIFF_BUCKETS = [0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100];
const AGREEMENT_BUCKETS = [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1];
const PAIR = ['model', 'primary_version', 'shadow_version'] as const;

export class ReleaseMetrics {
  private readonly routed: Counter<'model' | 'version' | 'route'>;
  private readonly rollbacks: Counter<'model' | 'version' | 'trigger'>;
  private readonly rolledBack: Gauge<'model' | 'version'>;
  private readonly shadowRequests: Counter<(typeof PAIR)[number] | 'outcome'>;
  private readonly maxAbsDiff: Histogram<(typeof PAIR)[number] | 'output'>;
  private readonly meanAbsDiff: Histogram<(typeof PAIR)[number] | 'output'>;
  private readonly argmaxAgreement: Histogram<(typeof PAIR)[number] | 'output'>;
  private readonly incomparable: Counter<(typeof PAIR)[number] | 'output'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.routed = new Counter({
      name: 'nereid_release_routed_total',
      help: 'Requests that named no version, by the version the gray-release policy sent them to and how (rule, sticky, weight, default)',
      labelNames: ['model', 'version', 'route'] as const,
      registers,
    });
    this.rollbacks = new Counter({
      name: 'nereid_release_rollbacks_total',
      help: 'Versions rolled back by the gray-release guard, by trigger (error_ratio, p99_latency, shadow_disagreement)',
      labelNames: ['model', 'version', 'trigger'] as const,
      registers,
    });
    this.rolledBack = new Gauge({
      name: 'nereid_release_rolled_back',
      help: '1 while the gray-release guard holds a version rolled back (until the policy changes)',
      labelNames: ['model', 'version'] as const,
      registers,
    });
    this.shadowRequests = new Counter({
      name: 'nereid_shadow_requests_total',
      help: 'Shadow copies of requests, by outcome (compared, failed, dropped when max_inflight were running)',
      labelNames: [...PAIR, 'outcome'] as const,
      registers,
    });
    const histogram = (name: string, help: string, buckets: number[]): Histogram<(typeof PAIR)[number] | 'output'> =>
      new Histogram({ name, help, buckets, labelNames: [...PAIR, 'output'] as const, registers });
    this.maxAbsDiff = histogram('nereid_shadow_max_abs_diff', 'Largest element-wise absolute difference between the shadow and the primary output', DIFF_BUCKETS);
    this.meanAbsDiff = histogram('nereid_shadow_mean_abs_diff', 'Mean element-wise absolute difference between the shadow and the primary output', DIFF_BUCKETS);
    this.argmaxAgreement = histogram('nereid_shadow_argmax_agreement', 'Share of batch rows whose argmax agrees (outputs with a label_filename)', AGREEMENT_BUCKETS);
    this.incomparable = new Counter({
      name: 'nereid_shadow_incomparable_total',
      help: 'Shadow outputs that could not be compared with the primary (another shape or datatype, or missing)',
      labelNames: [...PAIR, 'output'] as const,
      registers,
    });
    releaseRouteChannel.subscribe(this.onRoute);
    shadowChannel.subscribe(this.onShadow);
    guardChannel.subscribe(this.onGuard);
  }

  close(): void {
    releaseRouteChannel.unsubscribe(this.onRoute);
    shadowChannel.unsubscribe(this.onShadow);
    guardChannel.unsubscribe(this.onGuard);
  }

  /** nereid_release_routed_total's series by model, version and route: found per request without hashing labels. */
  private readonly routedSeries = new Map<string, Map<number, Map<string, ReturnType<Counter<'model' | 'version' | 'route'>['labels']>>>>();

  private readonly onRoute = (message: unknown): void => {
    const event = message as ReleaseRouteEvent;
    let versions = this.routedSeries.get(event.model);
    if (versions === undefined) this.routedSeries.set(event.model, (versions = new Map()));
    let routes = versions.get(event.version);
    if (routes === undefined) versions.set(event.version, (routes = new Map()));
    let series = routes.get(event.route);
    if (series === undefined) routes.set(event.route, (series = this.routed.labels({ model: event.model, version: String(event.version), route: event.route })));
    series.inc();
  };

  private readonly onShadow = (message: unknown): void => {
    const event = message as ShadowEvent;
    const pair = { model: event.model, primary_version: String(event.primaryVersion), shadow_version: String(event.shadowVersion) };
    this.shadowRequests.inc({ ...pair, outcome: event.outcome });
    for (const c of event.comparisons) {
      const labels = { ...pair, output: c.output };
      if (!c.comparable) {
        this.incomparable.inc(labels);
        continue;
      }
      this.maxAbsDiff.observe(labels, c.maxAbsDiff);
      this.meanAbsDiff.observe(labels, c.meanAbsDiff);
      if (c.argmaxAgreement !== undefined) this.argmaxAgreement.observe(labels, c.argmaxAgreement);
    }
  };

  private readonly onGuard = (message: unknown): void => {
    const event = message as GuardEvent;
    const labels = { model: event.model, version: String(event.version) };
    this.rolledBack.set(labels, event.rolledBack ? 1 : 0);
    if (event.rolledBack && event.trigger !== 'policy_changed') this.rollbacks.inc({ ...labels, trigger: event.trigger });
  };
}
