import { isSpanContextValid, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { Counter, Histogram, Registry, type Metric, type OpenMetricsContentType } from 'prom-client';

/** Label values of an observation, by label name (prom-client's shape). */
type LabelValues<T extends string> = Partial<Record<T, string | number>>;

/**
 * The trace an observation belongs to: a span's context, or the W3C `traceparent` stored with an event or a timer
 * (`undefined`: none). Without it, {@link TracedHistogram.observe} takes the active span.
 */
export type TraceOrigin = { readonly span: SpanContext | undefined } | { readonly traceparent: string | undefined };

/** The labels of an exemplar: the trace and span an observation was made in. */
export interface TraceExemplar {
  readonly trace_id: string;
  readonly span_id: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** A W3C `traceparent` header value as a span context; `undefined` when it is malformed (or version `ff`). */
function fromTraceparent(value: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (!match || match[1] === 'ff') return undefined;
  return {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16),
  };
}

/**
 * The exemplar labels of a trace (`trace_id`, `span_id`, as Grafana's exemplar link reads them), or `undefined` when
 * there is no valid trace or it was not sampled: an unsampled trace was never exported, a link to it would lead
 * nowhere.
 */
export function traceExemplar(origin?: TraceOrigin): TraceExemplar | undefined {
  let span: SpanContext | undefined;
  if (origin === undefined) span = trace.getActiveSpan()?.spanContext();
  else if ('span' in origin) span = origin.span;
  else span = origin.traceparent === undefined ? undefined : fromTraceparent(origin.traceparent);
  if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { trace_id: span.traceId, span_id: span.spanId };
}

/**
 * A latency histogram whose observations carry their trace as an OpenMetrics exemplar: an OpenMetrics scrape
 * ({@link openMetricsText}) shows on each bucket the last sampled trace that fell in it, so a slow bucket on a
 * dashboard leads to a slow trace. The Prometheus text format (`registry.metrics()`) is unchanged.
 *
 * @example
 * ```ts
 * const duration = new TracedHistogram({ name: 'x_seconds', help: '…', labelNames: ['route'], registers: [registry] });
 * duration.observe({ route: '/cases' }, 0.012);                                  // the active span's trace
 * duration.observe({ route: '/cases' }, 0.012, { traceparent: event.metadata.traceparent });
 * ```
 */
export class TracedHistogram<T extends string> {
  private readonly histogram: Histogram<T>;

  constructor(config: {
    readonly name: string;
    readonly help: string;
    readonly labelNames: readonly T[];
    /** Upper bounds in the histogram's unit (seconds). */
    readonly buckets: readonly number[];
    readonly registers: readonly Registry[];
  }) {
    // prom-client refuses a histogram with exemplars on a registry of the Prometheus text format when constructing
    // it; that registry renders both formats here (openMetricsText), so the histogram is registered afterwards.
    this.histogram = new Histogram<T>({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      buckets: [...config.buckets],
      enableExemplars: true,
      registers: [],
    });
    for (const registry of config.registers) registry.registerMetric(this.histogram);
  }

  /** Observes `value` under `labels`, with the trace of `origin` (default: the active span) as its exemplar. */
  observe(labels: LabelValues<T>, value: number, origin?: TraceOrigin): void {
    const exemplar = traceExemplar(origin);
    // prom-client types exemplar labels as the metric's own label names; an exemplar's labels are its own.
    this.histogram.observe(
      exemplar ? { labels, value, exemplarLabels: exemplar as unknown as LabelValues<T> } : { labels, value },
    );
  }
}

/**
 * A counter as an OpenMetrics family: named without `_total` (OpenMetrics puts the suffix on the sample). prom-client
 * 15.1's OpenMetrics rendering strips the suffix from the counter object it renders, in place, which would then be
 * missing from the Prometheus text of the same counter: it renders this view instead.
 */
function counterFamily(name: string, counter: Counter): Metric {
  const family = name.replace(/_total$/, '');
  const get = async () => ({ ...(await counter.get()), name: family });
  return { name: family, get } as unknown as Metric;
}

/**
 * The metrics of `registry` (a registry of the Prometheus text format, whose `metrics()` stays that format) in the
 * OpenMetrics text format 1.0.0, with the exemplars of its {@link TracedHistogram}s: what a scrape asking for
 * `application/openmetrics-text` gets. Content type: `Registry.OPENMETRICS_CONTENT_TYPE`.
 */
export async function openMetricsText(registry: Registry): Promise<string> {
  const families = new Registry<OpenMetricsContentType>();
  families.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray()) {
    families.registerMetric(
      metric instanceof Counter ? counterFamily(metric.name, metric) : (metric as unknown as Metric),
    );
  }
  return families.metrics();
}

/** The content type of {@link openMetricsText}'s output. */
export const OPENMETRICS_CONTENT_TYPE: string = Registry.OPENMETRICS_CONTENT_TYPE;
