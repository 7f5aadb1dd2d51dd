// The gateway's metrics in one process: its own request metrics (calls by instance, API, operation and
// status; duration histogram) in a prom-client registry, and the custom metrics of emit-metric. Every
// gateway process (the server and each worker) keeps one; the server asks each for a snapshot (plain
// JSON, the shape of prom-client's getMetricsAsJSON) and sums them with AggregatorRegistry.aggregate, so
// a scrape sees one gateway however many processes serve it.
import type { Counter, Histogram, Registry } from 'prom-client';
import { promClient } from '../../common/lazy-modules.js';

/** One metric family as prom-client's getMetricsAsJSON gives it, without functions (it crosses IPC). */
export interface MetricFamily {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/** Custom series kept per process; beyond this, new series are dropped (and counted): dimension values can come from callers. */
export const MAX_CUSTOM_SERIES = 10_000;
const CUSTOM_PREFIX = 'apim_custom_';
/** Longest dimension value kept (longer ones are cut). */
export const MAX_LABEL_VALUE = 256;

/** A Prometheus name part: letters, digits and `_`, lower case (`API ID` → `api_id`). */
export function promName(s: string): string {
  const n = s.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return n === '' ? '_' : /^[0-9]/.test(n) ? `_${n}` : n;
}

interface Series { labels: Record<string, string>; sum: number; count: number }

interface Families {
  registry: Registry;
  requests: Counter<'instance' | 'api' | 'operation' | 'status'>;
  duration: Histogram<'instance' | 'api' | 'operation'>;
  dropped: Counter;
}

function makeFamilies(): Families {
  const { Counter, Histogram, Registry } = promClient();
  const registry = new Registry();
  return {
    registry,
    requests: new Counter({
      name: 'apim_gateway_requests_total', help: 'Calls answered by the gateway, by instance, API, operation and status code.',
      labelNames: ['instance', 'api', 'operation', 'status'] as const, registers: [registry],
    }),
    duration: new Histogram({
      name: 'apim_gateway_request_duration_seconds', help: 'Time from a call\'s arrival to the end of its answer, by instance, API and operation.',
      labelNames: ['instance', 'api', 'operation'] as const, registers: [registry],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    dropped: new Counter({
      name: 'apim_gateway_custom_series_dropped_total', help: `emit-metric values dropped because this process already holds ${MAX_CUSTOM_SERIES} custom series.`,
      registers: [registry],
    }),
  };
}

export class GatewayMetrics {
  /** prom-client's objects, made (and the package loaded) when the first call is counted or scraped. */
  private families: Families | undefined;
  private get f(): Families { return (this.families ??= makeFamilies()); }
  /** Custom metrics: Prometheus family name → series by their labels. */
  private readonly custom = new Map<string, { help: string; series: Map<string, Series> }>();
  private customSeries = 0;

  /** Labelled children by (instance, api, operation, status): the hot path skips prom-client's label hashing. */
  private readonly children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  request(instance: string, api: string, operation: string, status: number, seconds: number): void {
    const key = `${instance}\n${api}\n${operation}\n${status}`;
    let c = this.children.get(key);
    if (c === undefined) {
      c = { count: this.f.requests.labels(instance, api, operation, String(status)), time: this.f.duration.labels(instance, api, operation) };
      // Bounded by configuration (APIs × operations × status codes); a reload with new names only adds.
      if (this.children.size < 100_000) this.children.set(key, c);
    }
    c.count.inc();
    c.time.observe(seconds);
  }

  /**
   * emit-metric: `value` added to the series of (namespace, name, dimensions). A family per metric name
   * (`apim_custom_{name}`, a summary: `_sum` and `_count`), the namespace and dimensions as labels.
   */
  emit(instance: string, namespace: string, name: string, value: number, dimensions: readonly (readonly [string, string])[]): void {
    const family = CUSTOM_PREFIX + promName(name);
    let f = this.custom.get(family);
    const labels: Record<string, string> = { instance, namespace };
    for (const [k, v] of dimensions) {
      const label = promName(k);
      // Dimension values can come from callers (a header, the client address): kept short.
      if (!(label in labels)) labels[label] = v.length > MAX_LABEL_VALUE ? v.slice(0, MAX_LABEL_VALUE) : v;
    }
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let s = f?.series.get(key);
    if (!s) {
      if (this.customSeries >= MAX_CUSTOM_SERIES) { this.f.dropped.inc(); return; }
      if (!f) { f = { help: `Custom metric '${name}' (emit-metric).`, series: new Map() }; this.custom.set(family, f); }
      s = { labels, sum: 0, count: 0 };
      f.series.set(key, s);
      this.customSeries++;
    }
    s.sum += value;
    s.count++;
  }

  /** This process's metrics, ready to cross to the server and be aggregated. */
  async snapshot(): Promise<MetricFamily[]> {
    const own = (await this.f.registry.getMetricsAsJSON()).map((m): MetricFamily => ({
      name: m.name, help: m.help, type: String(m.type), aggregator: m.aggregator,
      values: m.values.map((v) => ({ value: v.value, labels: { ...v.labels } as Record<string, string | number>, ...('metricName' in v && typeof v.metricName === 'string' ? { metricName: v.metricName } : {}) })),
    }));
    for (const [name, f] of this.custom) {
      own.push({
        name, help: f.help, type: 'summary', aggregator: 'sum',
        values: [...f.series.values()].flatMap((s) => [
          { value: s.sum, labels: s.labels, metricName: `${name}_sum` },
          { value: s.count, labels: s.labels, metricName: `${name}_count` },
        ]),
      });
    }
    return own;
  }
}

/** Sums the snapshots of every gateway process into Prometheus's text exposition format. */
export async function exposition(snapshots: MetricFamily[][]): Promise<{ contentType: string; text: string }> {
  const registry = promClient().AggregatorRegistry.aggregate(snapshots);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
