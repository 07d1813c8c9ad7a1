import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  CurrentPrincipal,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  ValidationProblem,
  type Principal,
} from '@aftersales/platform-http';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import { SlaPoliciesService } from '../../application/sla-policies.service';
import { CaseKpisView } from '../read-model/case-reads.views';
import { CaseKpiQueries } from '../read-model/case-kpis.queries';
import { CaseKpisQuery } from './case-reads.request';

/** Case KPIs are for those who steer the desk. */
const KPI_ROLES = [Role.Supervisor, Role.CsManager] as const;

const DAY_MS = 86_400_000;
const DEFAULT_PERIOD_DAYS = 30;
/** The longest period one request covers (a year of days at most). */
const MAX_PERIOD_DAYS = 366;

/** The instants a period may start or end at: what every store of the platform can hold. */
const EARLIEST = Date.parse('1900-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T00:00:00Z');

function instant(value: string | undefined, pointer: string): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < EARLIEST || ms > LATEST) {
    throw new ValidationProblem([{ pointer, detail: 'must be an ISO 8601 date-time from 1900 to 9999' }]);
  }
  return new Date(ms);
}

@Controller('case-kpis')
export class CaseKpisHttpController {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(CaseKpiQueries) private readonly kpis: CaseKpiQueries,
    @Inject(SlaPoliciesService) private readonly slaPolicies: SlaPoliciesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The desk's KPIs over the cases opened in `[from, to)` (default: the 30 days before now), per tenant, team, agent
   * or day (in the time zone of the tenant's business calendar, its SLA policy's): average first-response and handling
   * time, first-contact resolution, SLA hit rate, reopen and complaint rates, and the backlog by age now. Definitions:
   * services/intake/README.md, "Worklist and case KPIs".
   */
  @Get()
  @Roles(...KPI_ROLES)
  @Responds(200, CaseKpisView)
  async read(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(CaseKpisQuery)) query: CaseKpisQuery,
  ): Promise<CaseKpisView> {
    const asOf = this.clock();
    const to = instant(query.to, '/to') ?? asOf;
    const from = instant(query.from, '/from') ?? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime()) {
      throw new ValidationProblem([{ pointer: '/from', detail: 'must be before to' }]);
    }
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
      throw new ValidationProblem([{ pointer: '/from', detail: `must be at most ${MAX_PERIOD_DAYS} days before to` }]);
    }
    const { calendar } = await this.slaPolicies.forTenant(principal.tenant);
    return this.kpis.kpis(principal.tenant, {
      from,
      to,
      groupBy: query.groupBy ?? 'tenant',
      timeZone: calendar.timeZone,
      asOf,
    });
  }
}
