import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import { metricsRegistry, type Logger } from '@aftersales/observability';
import type { BackgroundWorker } from '@aftersales/service-runtime';
import { openCaseStatuses } from '../read-model/case-reads.views';

/** How many tenants get series of their own; the others are summed under {@link OTHER_TENANTS}. */
export const TENANT_SERIES = 20;
/** The `tenant` label of the tenants beyond the {@link TENANT_SERIES} with the most open cases. */
export const OTHER_TENANTS = '_other';

/** What sets `aftersales_cases_open` from the database it was bound to; `null` when no intake runs here. */
let boundOpenCases: (() => Promise<void>) | null = null;

/** `aftersales_cases_open{tenant, status}`, on the platform registry (served on `/metrics`). */
export const openCasesGauge: Gauge<'tenant' | 'status'> = new Gauge({
  name: 'aftersales_cases_open',
  help: `Cases not resolved nor closed, by stage; the ${TENANT_SERIES} tenants with the most open cases by name, the others summed as tenant="${OTHER_TENANTS}"`,
  labelNames: ['tenant', 'status'] as const,
  registers: [metricsRegistry],
  // Computed at scrape time from the case read model, by the gauge bound to this process's database (if any).
  collect: (): Promise<void> | void => (boundOpenCases ? boundOpenCases() : openCasesGauge.reset()),
});

type Count = { readonly tenant: string; readonly status: string; readonly n: number };

/**
 * The series of the gauge from per-tenant counts: the {@link TENANT_SERIES} tenants with the most open cases (ties by
 * name) keep their name, the rest are summed under {@link OTHER_TENANTS}; every open stage of a named tenant is
 * present (0 when it has none), so the number of series is bounded by (`TENANT_SERIES` + 1) × the open stages.
 */
export function openCaseSeries(counts: readonly Count[]): Array<{ tenant: string; status: string; value: number }> {
  const totals = new Map<string, number>();
  for (const { tenant, n } of counts) totals.set(tenant, (totals.get(tenant) ?? 0) + n);
  const named = new Set(
    [...totals.entries()]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, TENANT_SERIES)
      .map(([tenant]) => tenant),
  );
  const series = new Map<string, { tenant: string; status: string; value: number }>();
  const add = (tenant: string, status: string, value: number) => {
    const key = JSON.stringify([tenant, status]);
    const entry = series.get(key) ?? { tenant, status, value: 0 };
    series.set(key, { ...entry, value: entry.value + value });
  };
  for (const tenant of named) for (const status of openCaseStatuses) add(tenant, status, 0);
  if (totals.size > named.size) for (const status of openCaseStatuses) add(OTHER_TENANTS, status, 0);
  for (const { tenant, status, n } of counts) add(named.has(tenant) ? tenant : OTHER_TENANTS, status, n);
  return [...series.values()];
}

/**
 * Binds `aftersales_cases_open` to intake's database for the service's life: each scrape counts the open cases of
 * `case_worklist` by tenant and stage with one query (over the partial index of open cases). A failed or slow query
 * never fails `/metrics`: it logs a warning and the series are left out of that scrape (absent rather than stale). A
 * worker only for its start/stop. Counts trail the committed events by the projection's lag.
 */
export class OpenCasesGauge implements BackgroundWorker {
  private readonly collect = () => this.refresh();

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly timeoutMs = 2_000,
  ) {}

  start(): void {
    boundOpenCases = this.collect;
  }

  async stop(): Promise<void> {
    // A newer instance (a restarted service in the same process) keeps its binding.
    if (boundOpenCases !== this.collect) return;
    boundOpenCases = null;
    openCasesGauge.reset();
  }

  /** Sets the gauge from one query; on failure leaves it empty and logs, never throws (the scrape goes on). */
  async refresh(): Promise<void> {
    let counts: Count[];
    try {
      counts = await this.count();
    } catch (error) {
      openCasesGauge.reset();
      this.logger.warn(
        { err: error },
        'case metrics: counting open cases failed; aftersales_cases_open left out of this scrape',
      );
      return;
    }
    // Reset and set in one synchronous step: stages that emptied show 0, tenants that left the top are folded.
    openCasesGauge.reset();
    for (const { tenant, status, value } of openCaseSeries(counts)) openCasesGauge.set({ tenant, status }, value);
  }

  private async count(): Promise<Count[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const counting = this.pool.query<{ tenant: string; status: string; n: number }>(
        `SELECT tenant, status, count(*)::int AS n FROM case_worklist
          WHERE status NOT IN ('resolved', 'closed') GROUP BY tenant, status`,
      );
      return (await Promise.race([counting, timeout])).rows;
    } finally {
      clearTimeout(timer);
    }
  }
}
