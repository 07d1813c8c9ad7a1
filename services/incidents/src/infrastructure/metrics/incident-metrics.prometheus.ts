import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry, TracedHistogram, type Logger } from '@aftersales/observability';
import type { BackgroundWorker } from '@aftersales/service-runtime';
import type { IncidentMetricsPort } from '../../application/incident-metrics.port';
import { incidentLevels, type IncidentLevel, type IncidentStatus, type ResponseTeamPaged } from '../../domain';

/** The phases of an incident that is still open (neither closed nor merged into another). */
const openPhases: readonly IncidentStatus[] = ['activation', 'containment', 'resolution', 'follow-up'];

/** What sets `aftersales_incidents_open` from the database it was bound to; `null` when no service runs here. */
let boundOpenIncidents: (() => Promise<void>) | null = null;

/** The incidents service's Prometheus metrics (on the platform registry, served on `/metrics`). */
export const incidentMetrics = {
  pages: new Counter({
    name: 'aftersales_incident_pages_total',
    help: 'Response teams paged, by incident level and trigger (activation, upgrade, contact-deadline-breach)',
    labelNames: ['level', 'trigger'] as const,
    registers: [metricsRegistry],
  }),
  deadlineBreaches: new Counter({
    name: 'aftersales_incident_deadline_breaches_total',
    help: 'Contact deadlines breached (nobody contacted in time), by incident level',
    labelNames: ['level'] as const,
    registers: [metricsRegistry],
  }),
  timeToContact: new TracedHistogram({
    name: 'aftersales_incident_time_to_contact_seconds',
    help: "Time from an incident's activation to the first customer contact, by the incident's level at contact",
    labelNames: ['level'] as const,
    buckets: [60, 300, 600, 900, 1_200, 1_800, 2_700, 3_600, 5_400, 7_200, 10_800, 14_400, 28_800, 86_400],
    registers: [metricsRegistry],
  }),
  openIncidents: new Gauge({
    name: 'aftersales_incidents_open',
    help: 'Open incidents by level and phase',
    labelNames: ['level', 'status'] as const,
    registers: [metricsRegistry],
    // Computed at scrape time from the read model, by the gauge bound to this process's database (if any).
    collect: () => (boundOpenIncidents ? boundOpenIncidents() : resetOpenIncidents()),
  }),
};

function resetOpenIncidents(): void {
  incidentMetrics.openIncidents.reset();
}

/** The {@link IncidentMetricsPort} on the Prometheus counters and histogram above. */
@Injectable()
export class PrometheusIncidentMetrics implements IncidentMetricsPort {
  responseTeamPaged(level: IncidentLevel, trigger: ResponseTeamPaged['data']['trigger']): void {
    incidentMetrics.pages.inc({ level, trigger });
  }

  contactDeadlineBreached(level: IncidentLevel): void {
    incidentMetrics.deadlineBreaches.inc({ level });
  }

  firstContact(level: IncidentLevel, seconds: number, traceparent?: string): void {
    incidentMetrics.timeToContact.observe({ level }, seconds, { traceparent });
  }
}

/**
 * Binds `aftersales_incidents_open` to the service's database for the service's life: the gauge itself is registered
 * once per process (above); each scrape counts the open incidents of `incidents_view` by level and phase with one
 * query. Every open phase is emitted for every level (0 when there is none), so dashboards always see the series; no
 * tenant label (cardinality). A failed or slow query never fails `/metrics`: it logs a warning and the series are
 * left out of that scrape (absent rather than stale). A worker only for its start/stop: it runs nothing in between.
 * Counts come from the read model, so they trail the committed events by the projection's lag.
 */
export class OpenIncidentsGauge implements BackgroundWorker {
  private readonly collect = () => this.refresh();

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly timeoutMs = 2_000,
  ) {}

  start(): void {
    boundOpenIncidents = this.collect;
  }

  async stop(): Promise<void> {
    // A newer instance (a restarted service in the same process) keeps its binding.
    if (boundOpenIncidents !== this.collect) return;
    boundOpenIncidents = null;
    resetOpenIncidents();
  }

  /** Sets the gauge from one query; on failure leaves it empty and logs, never throws (the scrape goes on). */
  async refresh(): Promise<void> {
    let rows: ReadonlyArray<{ level: string; status: string; n: string }>;
    try {
      rows = await this.query();
    } catch (error) {
      resetOpenIncidents();
      this.logger.warn(
        { err: error },
        'incident metrics: counting open incidents failed; aftersales_incidents_open left out of this scrape',
      );
      return;
    }
    // Reset and set in one synchronous step: phases that emptied show 0, levels no incident reached too.
    const gauge = incidentMetrics.openIncidents;
    gauge.reset();
    for (const status of openPhases) for (const level of incidentLevels) gauge.set({ level, status }, 0);
    for (const { level, status, n } of rows) gauge.set({ level, status }, Number(n));
  }

  private async query() {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const counting = this.pool.query<{ level: string; status: string; n: string }>(
        `SELECT level, status, count(*) AS n FROM incidents_view
          WHERE status NOT IN ('closed', 'merged') GROUP BY level, status`,
      );
      return (await Promise.race([counting, timeout])).rows;
    } finally {
      clearTimeout(timer);
    }
  }
}
