import type { SlaClockId } from '../domain/sla-policy';

/**
 * Port: the SLA metrics of intake, as the application observes them. Adapter: Prometheus counters and histogram on the
 * platform registry (`infrastructure/metrics/sla-metrics.prometheus.ts`), served on `/metrics`.
 */
export interface SlaMetricsPort {
  /** A clock's breach was recorded (counted once its transaction committed). */
  clockBreached(clockId: SlaClockId): void;
  /** A durable timer of kind `kind` fired `lagSeconds` after it was due. */
  timerFired(kind: string, lagSeconds: number): void;
}

/** DI token of the {@link SlaMetricsPort}. */
export const SLA_METRICS = Symbol('SLA_METRICS');
