import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { Counter, Gauge, Registry } from 'prom-client';
import { TestContextManager } from '@aftersales/testing';
import { openMetricsText, traceExemplar, TracedHistogram } from './exemplars';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const sampled = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };

/** A registry of the Prometheus text format with a traced histogram, a counter and a gauge, as the platform's. */
function registryUnderTest() {
  const registry = new Registry();
  const duration = new TracedHistogram({
    name: 'test_duration_seconds',
    help: 'A latency',
    labelNames: ['route'] as const,
    buckets: [0.1, 1],
    registers: [registry],
  });
  const handled = new Counter({
    name: 'test_handled_total',
    help: 'Handled',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const up = new Gauge({ name: 'test_up', help: 'Up', registers: [registry] });
  return { registry, duration, handled, up };
}

/** The exemplar written after a sample line in OpenMetrics: ` # {labels} value timestamp`. */
function exemplarOf(text: string, sample: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return / # (\{[^}]*\}) \S+ \S+$/.exec(line ?? '')?.[1];
}

describe('traceExemplar', () => {
  beforeAll(() => context.setGlobalContextManager(new TestContextManager()));
  afterAll(() => context.disable());

  it('is the active span of a sampled trace by default', () => {
    const inSpan = context.with(trace.setSpanContext(ROOT_CONTEXT, sampled), () => traceExemplar());
    expect(inSpan).toEqual({ trace_id: traceId, span_id: spanId });
    expect(traceExemplar()).toBeUndefined();
  });

  it('is the span context or the W3C traceparent given', () => {
    expect(traceExemplar({ span: sampled })).toEqual({ trace_id: traceId, span_id: spanId });
    expect(traceExemplar({ traceparent: `00-${traceId}-${spanId}-01` })).toEqual({
      trace_id: traceId,
      span_id: spanId,
    });
    expect(traceExemplar({ traceparent: `01-${traceId}-${spanId}-03-future-fields` })).toEqual({
      trace_id: traceId,
      span_id: spanId,
    });
  });

  it('is none for a trace that was not sampled (never exported), an invalid or a missing one', () => {
    expect(traceExemplar({ span: { ...sampled, traceFlags: TraceFlags.NONE } })).toBeUndefined();
    expect(traceExemplar({ traceparent: `00-${traceId}-${spanId}-00` })).toBeUndefined();
    expect(traceExemplar({ traceparent: `00-${'0'.repeat(32)}-${spanId}-01` })).toBeUndefined();
    expect(traceExemplar({ traceparent: `ff-${traceId}-${spanId}-01` })).toBeUndefined();
    expect(traceExemplar({ traceparent: 'not a traceparent' })).toBeUndefined();
    expect(traceExemplar({ traceparent: undefined })).toBeUndefined();
    expect(traceExemplar({ span: undefined })).toBeUndefined();
    // Given explicitly as absent: not the active span's.
    const given = context.with(trace.setSpanContext(ROOT_CONTEXT, sampled), () =>
      traceExemplar({ traceparent: undefined }),
    );
    expect(given).toBeUndefined();
  });
});

describe('TracedHistogram and openMetricsText', () => {
  beforeAll(() => context.setGlobalContextManager(new TestContextManager()));
  afterAll(() => context.disable());

  it('shows the trace of an observation on its bucket in OpenMetrics, and only there', async () => {
    const { registry, duration } = registryUnderTest();
    context.with(trace.setSpanContext(ROOT_CONTEXT, sampled), () => duration.observe({ route: '/cases' }, 0.05));
    duration.observe({ route: '/cases' }, 0.5, { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` });
    duration.observe({ route: '/cases' }, 5);

    const open = await openMetricsText(registry);
    expect(exemplarOf(open, 'test_duration_seconds_bucket{le="0.1",route="/cases"} 1')).toBe(
      `{trace_id="${traceId}",span_id="${spanId}"}`,
    );
    expect(exemplarOf(open, 'test_duration_seconds_bucket{le="1",route="/cases"} 2')).toBe(
      `{trace_id="${'a'.repeat(32)}",span_id="${'b'.repeat(16)}"}`,
    );
    // The observation without a trace leaves its bucket (+Inf) without exemplar.
    expect(open).toContain('test_duration_seconds_bucket{le="+Inf",route="/cases"} 3\n');
    expect(open).toContain('test_duration_seconds_count{route="/cases"} 3\n');

    const text = await registry.metrics();
    expect(text).toContain('test_duration_seconds_bucket{le="0.1",route="/cases"} 1\n');
    expect(text).not.toContain('trace_id');
  });

  it('keeps the last sampled trace of a bucket', async () => {
    const { registry, duration } = registryUnderTest();
    duration.observe({ route: '/a' }, 0.01, { span: sampled });
    duration.observe({ route: '/a' }, 0.02, { span: { ...sampled, spanId: 'c'.repeat(16) } });
    duration.observe({ route: '/a' }, 0.03, { span: { ...sampled, spanId: 'd'.repeat(16), traceFlags: 0 } });
    const open = await openMetricsText(registry);
    expect(exemplarOf(open, 'test_duration_seconds_bucket{le="0.1",route="/a"} 3')).toBe(
      `{trace_id="${traceId}",span_id="${'c'.repeat(16)}"}`,
    );
  });

  it('names counters as OpenMetrics families and leaves their Prometheus text names intact', async () => {
    const { registry, handled, up } = registryUnderTest();
    handled.inc({ outcome: 'processed' }, 2);
    up.set(1);
    for (let i = 0; i < 2; i++) {
      const open = await openMetricsText(registry);
      expect(open).toContain('# TYPE test_handled counter\ntest_handled_total{outcome="processed"} 2\n');
      expect(open).toContain('# TYPE test_up gauge\ntest_up 1\n');
      expect(open.endsWith('\n# EOF\n')).toBe(true);
      // prom-client's own OpenMetrics rendering would have renamed the counter itself: the text keeps `_total`.
      const text = await registry.metrics();
      expect(text).toContain('# TYPE test_handled_total counter\ntest_handled_total{outcome="processed"} 2\n');
    }
  });
});
