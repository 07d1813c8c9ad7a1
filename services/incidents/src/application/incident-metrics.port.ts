import type { IncidentLevel, ResponseTeamPaged } from '../domain';

/**
 * Port: the incidents service's operational metrics, as the application observes them (only ever for committed
 * events, see `IncidentMetricsProjector`). Adapter: Prometheus counters and histogram on the platform registry
 * (`infrastructure/metrics/incident-metrics.prometheus.ts`).
 */
export interface IncidentMetricsPort {
  /** A response team was paged (activation, upgrade, contact-deadline breach). */
  responseTeamPaged(level: IncidentLevel, trigger: ResponseTeamPaged['data']['trigger']): void;
  /** A contact deadline passed with nobody contacted. */
  contactDeadlineBreached(level: IncidentLevel): void;
  /**
   * The first customers were contacted, `seconds` after the incident's activation; `traceparent`: the trace that
   * recorded the contact (the event's W3C trace context), which the observation links to.
   */
  firstContact(level: IncidentLevel, seconds: number, traceparent?: string): void;
}

/** DI token of the {@link IncidentMetricsPort}. */
export const INCIDENT_METRICS = Symbol('INCIDENT_METRICS');
