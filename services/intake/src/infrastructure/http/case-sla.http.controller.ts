import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { SlaClock, type BusinessCalendar } from '@aftersales/business-time';
import { CurrentPrincipal, Responds, Role, Roles, SchemaPipe, type Principal } from '@aftersales/platform-http';
import { CasesService } from '../../application/cases.service';
import { SlaPoliciesService } from '../../application/sla-policies.service';
import type { OpenedCaseState } from '../../domain/case.state';
import type { CaseSlaClock } from '../../domain/sla-clocks';
import { slaClockIds } from '../../domain/sla-policy';
import { CaseSlaQuery, CaseSlaView } from './sla-policies.request';

const isoOrNull = (instant: Date | null) => instant?.toISOString() ?? null;

/** The instant of the clock's latest start, pause, resumption or meeting. */
function latestChange(entry: CaseSlaClock): string {
  const { clock } = entry;
  if (clock.status === 'met') return clock.metAt;
  return clock.status === 'paused' ? clock.pausedSince : clock.runningSince;
}

function clockView(entry: CaseSlaClock, calendar: BusinessCalendar, at: Date | null): CaseSlaView['clocks'][number] {
  const { clock } = entry;
  const now = at ?? new Date(latestChange(entry));
  return {
    clockId: entry.clockId,
    instance: entry.instance,
    status: SlaClock.statusAt(clock, calendar, now),
    basis: clock.target.basis,
    budgetMs: clock.target.budgetMs,
    startedAt: clock.startedAt,
    asOf: now.toISOString(),
    consumedMs: SlaClock.consumed(clock, calendar, now),
    remainingMs: SlaClock.remaining(clock, calendar, now),
    dueAt: isoOrNull(SlaClock.dueAt(clock, calendar)),
    warnAt: isoOrNull(SlaClock.warnAt(clock, calendar)),
    warnedAt: clock.warnedAt,
    breachedAt: clock.breachedAt,
    metAt: clock.status === 'met' ? clock.metAt : null,
    late: clock.status === 'met' ? clock.late : null,
  };
}

/**
 * The case's SLA clocks (the latest start of each) with their figures on the tenant's calendar: at `at`, or, without
 * it, as of each clock's latest change (so the view of a case changes only when the case does).
 */
export function caseSlaView(state: OpenedCaseState, calendar: BusinessCalendar, at: Date | null): CaseSlaView {
  const clocks = slaClockIds.flatMap((id) => {
    const entry = state.case.slaClocks[id];
    return entry ? [clockView(entry, calendar, at)] : [];
  });
  return { caseId: state.case.caseId, clocks };
}

@Controller('cases/:caseId/sla')
export class CaseSlaHttpController {
  constructor(
    @Inject(CasesService) private readonly cases: CasesService,
    @Inject(SlaPoliciesService) private readonly policies: SlaPoliciesService,
  ) {}

  /**
   * The case's clocks: status (breached as soon as the budget is used), budget and basis, time used and left (at `at`,
   * e.g. now, or as of each clock's latest change), due and warning instants, warning, breach and met facts, lateness.
   */
  @Get()
  @Roles(Role.Agent, Role.Supervisor, Role.CsManager, Role.Integrator)
  @Responds(200, CaseSlaView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Query(new SchemaPipe(CaseSlaQuery)) query: CaseSlaQuery,
  ): Promise<CaseSlaView> {
    const state = await this.cases.get(principal.tenant, caseId);
    const { calendar } = await this.policies.forTenant(principal.tenant);
    return caseSlaView(state, calendar, query.at ? new Date(query.at) : null);
  }
}
