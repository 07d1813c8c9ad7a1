import { Inject, Injectable } from '@nestjs/common';
import { assertNever } from '@aftersales/domain';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { slaClockIds, type SlaClockId } from '../../domain/sla-policy';
import type { CaseKpiGroupView, CaseKpisView, KpiGrouping } from './case-reads.views';

/** A KPI query, checked: cases opened in `[from, to)`, grouped, the backlog measured at `asOf`. */
export interface CaseKpiQuery {
  readonly from: Date;
  readonly to: Date;
  readonly groupBy: KpiGrouping;
  /** The IANA zone a `day` is counted in. */
  readonly timeZone: string;
  readonly asOf: Date;
}

/**
 * The group key of a grouping, in SQL over `case_worklist w`, and its parameters: `values` gets the time zone for `day`
 * (a local date in the zone Postgres knows by the same IANA name as `Intl`).
 */
function groupKey(query: CaseKpiQuery, values: unknown[]): string {
  switch (query.groupBy) {
    case 'tenant':
      return 'w.tenant';
    case 'team':
      return 'w.team';
    case 'agent':
      return 'w.agent_id';
    case 'day':
      values.push(query.timeZone);
      return `to_char(w.opened_at AT TIME ZONE $${values.length}::text, 'YYYY-MM-DD')`;
    default:
      return assertNever(query.groupBy);
  }
}

const HOUR = 3_600;

type CohortRow = {
  key: string | null;
  cases: number;
  first_response_measured: number;
  first_response_avg: string | null;
  handling_measured: number;
  handling_avg: string | null;
  resolved: number;
  first_contact: number;
  reopened: number;
  complained: number;
};

type ClockRow = { key: string | null; clock_id: SlaClockId; ended: number; on_time: number };

type BacklogRow = {
  key: string | null;
  open: number;
  under_1h: number;
  h1_4: number;
  h4_24: number;
  d1_3: number;
  over_3d: number;
};

/** The hit rate of each clock (0 of 0 for a clock none of the group's cases ran). */
const clockRatios = (rows: ReadonlyMap<SlaClockId, ClockRow>) =>
  Object.fromEntries(
    slaClockIds.map((clockId) => [clockId, ratio(rows.get(clockId)?.on_time ?? 0, rows.get(clockId)?.ended ?? 0)]),
  ) as Record<SlaClockId, ReturnType<typeof ratio>>;

const seconds = (value: string | null): number | null =>
  value === null ? null : Math.round(Number(value) * 1000) / 1000;
const ratio = (count: number, of: number) => ({ count, of, rate: of === 0 ? null : count / of });

/**
 * The case KPIs, computed in SQL from the case read model (`case_worklist`, `case_sla_clocks`, `case_complaint_links`)
 * of one tenant. Definitions (services/intake/README.md, "Worklist and case KPIs"):
 *
 * - cohort: the cases opened in `[from, to)`; every figure but the backlog is over it, grouped by tenant, team or
 *   agent (the case's current assignment) or the local day it was opened on;
 * - first response: seconds from opening to the first response (`CaseFirstResponseGiven`), wall-clock time;
 * - handling: seconds from opening to the last resolution, over cases resolved or closed now;
 * - first-contact resolution: of the cases resolved at least once, those never reopened that had at most one
 *   outbound communication by an agent before their first resolution;
 * - SLA hit rate: of the starts of the cases' SLA clocks that ended (met, or breached), those met on time (a clock
 *   met at or after its due instant is late), overall and per clock;
 * - reopen rate: of the cases resolved at least once, those reopened at least once;
 * - complaint rate: of the cases, those a complaint was registered for (`ComplaintRegistered.caseId`);
 * - backlog: the cases not resolved nor closed at `asOf`, whenever opened, by age.
 */
@Injectable()
export class CaseKpiQueries {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  /** Whether Postgres knows a time zone by this IANA name (`Intl` validated it; the database's tz data may be older). */
  private readonly zones = new Map<string, boolean>();

  private async knownZone(timeZone: string): Promise<boolean> {
    const known = this.zones.get(timeZone);
    if (known !== undefined) return known;
    const { rows } = await this.database.pool.query<{ known: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known',
      [timeZone],
    );
    const answer = rows[0]?.known === true;
    this.zones.set(timeZone, answer);
    return answer;
  }

  /**
   * The KPIs of `tenant`. Days are local dates in `query.timeZone` (as `localDateOf` of `@aftersales/business-time`
   * counts them), or UTC dates when the database does not know that zone; the answer names the zone used.
   */
  async kpis(tenant: string, asked: CaseKpiQuery): Promise<CaseKpisView> {
    const query =
      asked.groupBy === 'day' && !(await this.knownZone(asked.timeZone)) ? { ...asked, timeZone: 'UTC' } : asked;
    const cohortValues: unknown[] = [tenant, query.from, query.to];
    const cohortKey = groupKey(query, cohortValues);
    const backlogValues: unknown[] = [tenant, query.asOf];
    const backlogKey = groupKey(query, backlogValues);
    const clockValues: unknown[] = [tenant, query.from, query.to];
    const clockKey = groupKey(query, clockValues);
    const [cohort, backlog, clocks] = await Promise.all([
      this.database.pool.query<CohortRow>(
        `SELECT ${cohortKey} AS key,
                count(*)::int AS cases,
                count(first_response_at)::int AS first_response_measured,
                avg(extract(epoch FROM first_response_at - opened_at)) AS first_response_avg,
                count(*) FILTER (WHERE status IN ('resolved', 'closed'))::int AS handling_measured,
                avg(extract(epoch FROM resolved_at - opened_at)) FILTER (WHERE status IN ('resolved', 'closed'))
                  AS handling_avg,
                count(first_resolved_at)::int AS resolved,
                count(*) FILTER (WHERE first_resolved_at IS NOT NULL AND reopen_count = 0
                                   AND responses_before_resolution <= 1)::int AS first_contact,
                count(*) FILTER (WHERE reopen_count > 0)::int AS reopened,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_complaint_links l
                                                WHERE l.tenant = w.tenant AND l.case_id = w.case_id))::int AS complained
           FROM case_worklist w
          WHERE tenant = $1 AND opened_at >= $2::timestamptz AND opened_at < $3::timestamptz
          GROUP BY 1`,
        cohortValues,
      ),
      this.database.pool.query<BacklogRow>(
        `SELECT key, count(*)::int AS open,
                count(*) FILTER (WHERE age < ${HOUR})::int AS under_1h,
                count(*) FILTER (WHERE age >= ${HOUR} AND age < ${4 * HOUR})::int AS h1_4,
                count(*) FILTER (WHERE age >= ${4 * HOUR} AND age < ${24 * HOUR})::int AS h4_24,
                count(*) FILTER (WHERE age >= ${24 * HOUR} AND age < ${72 * HOUR})::int AS d1_3,
                count(*) FILTER (WHERE age >= ${72 * HOUR})::int AS over_3d
           FROM (SELECT ${backlogKey} AS key, extract(epoch FROM $2::timestamptz - opened_at) AS age
                   FROM case_worklist w
                  WHERE w.tenant = $1 AND w.status NOT IN ('resolved', 'closed')) open_cases
          GROUP BY key`,
        backlogValues,
      ),
      // Every start of a clock of the cohort's cases that ended: met (on time or late), or breached (met or not).
      this.database.pool.query<ClockRow>(
        `SELECT ${clockKey} AS key, c.clock_id,
                count(*) FILTER (WHERE c.status = 'met' OR c.breached_at IS NOT NULL)::int AS ended,
                count(*) FILTER (WHERE c.status = 'met' AND c.late IS FALSE AND c.breached_at IS NULL)::int AS on_time
           FROM case_worklist w JOIN case_sla_clocks c ON c.case_id = w.case_id AND c.tenant = w.tenant
          WHERE w.tenant = $1 AND w.opened_at >= $2::timestamptz AND w.opened_at < $3::timestamptz
          GROUP BY 1, 2`,
        clockValues,
      ),
    ]);
    const groups = new Map<string | null, CaseKpiGroupView>();
    const group = (key: string | null): CaseKpiGroupView =>
      groups.get(key) ?? {
        key,
        cases: 0,
        firstResponse: { measured: 0, averageSeconds: null },
        handling: { measured: 0, averageSeconds: null },
        firstContactResolution: ratio(0, 0),
        slaHitRate: { ...ratio(0, 0), byClock: clockRatios(new Map()) },
        reopenRate: ratio(0, 0),
        complaintRate: ratio(0, 0),
        backlog: {
          open: 0,
          underOneHour: 0,
          oneToFourHours: 0,
          fourToTwentyFourHours: 0,
          oneToThreeDays: 0,
          overThreeDays: 0,
        },
      };
    for (const row of cohort.rows) {
      groups.set(row.key, {
        ...group(row.key),
        cases: row.cases,
        firstResponse: { measured: row.first_response_measured, averageSeconds: seconds(row.first_response_avg) },
        handling: { measured: row.handling_measured, averageSeconds: seconds(row.handling_avg) },
        firstContactResolution: ratio(row.first_contact, row.resolved),
        reopenRate: ratio(row.reopened, row.resolved),
        complaintRate: ratio(row.complained, row.cases),
      });
    }
    const clocksByKey = new Map<string | null, Map<SlaClockId, ClockRow>>();
    for (const row of clocks.rows) {
      clocksByKey.set(row.key, (clocksByKey.get(row.key) ?? new Map()).set(row.clock_id, row));
    }
    for (const [key, byClock] of clocksByKey) {
      const rows = [...byClock.values()];
      const onTime = rows.reduce((sum, row) => sum + row.on_time, 0);
      const ended = rows.reduce((sum, row) => sum + row.ended, 0);
      groups.set(key, { ...group(key), slaHitRate: { ...ratio(onTime, ended), byClock: clockRatios(byClock) } });
    }
    for (const row of backlog.rows) {
      groups.set(row.key, {
        ...group(row.key),
        backlog: {
          open: row.open,
          underOneHour: row.under_1h,
          oneToFourHours: row.h1_4,
          fourToTwentyFourHours: row.h4_24,
          oneToThreeDays: row.d1_3,
          overThreeDays: row.over_3d,
        },
      });
    }
    const ordered = [...groups.values()].sort((a, b) =>
      a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1,
    );
    return {
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      groupBy: query.groupBy,
      timeZone: query.timeZone,
      asOf: query.asOf.toISOString(),
      groups: ordered,
    };
  }
}
