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
import type { CaseStatus } from '../../domain/case.values';
import { openCaseStatuses, WorklistPageView, type SlaState } from '../read-model/case-reads.views';
import { CaseWorklistQueries, type WorklistFilter } from '../read-model/case-worklist.queries';
import {
  decodeWorklistCursor,
  encodeWorklistCursor,
  worklistQueryFingerprint,
  type WorklistCursor,
} from '../read-model/worklist-cursor';
import { breachingWithinMs, WorklistQuery } from './case-reads.request';

/** Who works from the worklist: agents, their supervisors and customer-service managers. */
const WORKLIST_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager] as const;

const DEFAULT_PAGE_SIZE = 50;
/** `assignee=me`: the caller. */
const ME = 'me';

/** The order the `next` link lists the query's parameters in. */
const LINK_PARAMETERS = ['status', 'assignee', 'slaState', 'breachingWithin', 'team', 'queue', 'limit'] as const;

const listOf = <T extends string>(value: string | undefined): T[] | undefined =>
  value === undefined ? undefined : ([...new Set(value.split(','))].sort() as T[]);

@Controller('cases')
export class CaseWorklistHttpController {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(CaseWorklistQueries) private readonly worklist: CaseWorklistQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The worklist: the tenant's cases by nearest SLA due time (cases without a running clock last), then opening time,
   * then id, filtered by stage (default: not resolved nor closed), assignee (`me`: the caller), SLA state, due time
   * (`breachingWithin`), team and queue. Cursor paging: `limit` cases (1–200, 50), then `next` (or `?cursor=` with the
   * same filters). Read from the case read model: it trails the case's commands by the projection's lag.
   */
  @Get()
  @Roles(...WORKLIST_ROLES)
  @Responds(200, WorklistPageView)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(WorklistQuery)) query: WorklistQuery,
  ): Promise<WorklistPageView> {
    const within = query.breachingWithin === undefined ? undefined : breachingWithinMs(query.breachingWithin);
    if (within === null) {
      throw new ValidationProblem(
        [{ pointer: '/breachingWithin', detail: 'must be a positive ISO 8601 duration of at most 366 days' }],
        'The query parameter breachingWithin is invalid',
      );
    }
    const assignee = query.assignee === ME ? principal.subject : query.assignee;
    const statuses = listOf<CaseStatus>(query.status) ?? [...openCaseStatuses];
    const slaStates = listOf<SlaState>(query.slaState);
    const fingerprint = worklistQueryFingerprint({
      statuses,
      slaStates,
      assignee,
      team: query.team,
      queue: query.queue,
      breachingWithin: query.breachingWithin,
    });
    const cursor = query.cursor === undefined ? undefined : this.cursorOf(query.cursor, fingerprint);
    const dueBefore =
      within === undefined
        ? undefined
        : new Date(cursor?.dueBefore ?? new Date(this.clock().getTime() + within).toISOString());
    const filter: WorklistFilter = {
      statuses,
      ...(slaStates ? { slaStates } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
      ...(query.team !== undefined ? { team: query.team } : {}),
      ...(query.queue !== undefined ? { queue: query.queue } : {}),
      ...(dueBefore ? { dueBefore } : {}),
      limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      ...(cursor ? { after: cursor.after } : {}),
    };
    const page = await this.worklist.page(principal.tenant, filter);
    const nextCursor = page.last
      ? encodeWorklistCursor({
          after: page.last,
          query: fingerprint,
          dueBefore: dueBefore ? dueBefore.toISOString() : null,
        })
      : null;
    return { items: page.items, nextCursor, next: nextCursor === null ? null : nextLink(query, nextCursor) };
  }

  private cursorOf(value: string, fingerprint: string): WorklistCursor {
    const cursor = decodeWorklistCursor(value);
    if (cursor === null) {
      throw new ValidationProblem(
        [{ pointer: '/cursor', detail: 'is not a cursor of the worklist' }],
        'The query parameter cursor is invalid',
      );
    }
    if (cursor.query !== fingerprint) {
      throw new ValidationProblem(
        [{ pointer: '/cursor', detail: 'belongs to a worklist with other filters; keep the filters while paging' }],
        'The query parameter cursor is invalid',
      );
    }
    return cursor;
  }
}

/** `/cases?…` with the query's own parameters and the next page's cursor. */
function nextLink(query: WorklistQuery, cursor: string): string {
  const parameters = new URLSearchParams();
  for (const name of LINK_PARAMETERS) {
    const value = query[name];
    if (value !== undefined) parameters.set(name, value);
  }
  parameters.set('cursor', cursor);
  return `/cases?${parameters.toString()}`;
}
