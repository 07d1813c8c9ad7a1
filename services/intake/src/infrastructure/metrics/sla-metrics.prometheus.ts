import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { metricsRegistry, TracedHistogram } from '@aftersales/observability';
import type { SlaMetricsPort } from '../../application/sla-metrics.port';
import type { SlaClockId } from '../../domain/sla-policy';

/** Intake's SLA metrics (on the platform registry, served on `/metrics`). */
export const slaMetrics = {
  breaches: new Counter({
    name: 'aftersales_sla_breaches_total',
    help: 'SLA clocks of cases breached (their whole budget used without being met), by clock',
    labelNames: ['clock'] as const,
    registers: [metricsRegistry],
  }),
  timerLag: new TracedHistogram({
    name: 'aftersales_sla_timer_lag_seconds',
    help: 'How late intake’s durable timers fire: fired-at minus due-at, by timer kind',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [metricsRegistry],
  }),
};

/** The {@link SlaMetricsPort} on the Prometheus counter and histogram above. */
@Injectable()
export class PrometheusSlaMetrics implements SlaMetricsPort {
  clockBreached(clockId: SlaClockId): void {
    slaMetrics.breaches.inc({ clock: clockId });
  }

  /** Called in the timer's span (the trace that scheduled it), which becomes the observation's exemplar. */
  timerFired(kind: string, lagSeconds: number): void {
    slaMetrics.timerLag.observe({ kind }, lagSeconds);
  }
}
