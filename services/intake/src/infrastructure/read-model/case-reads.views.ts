import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CaseChannels, EscalationRungs, ProblemTypes, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import { caseStatuses, waitingParties } from '../../domain/case.values';
import type { SlaClockId } from '../../domain/sla-policy';

/**
 * The views of intake's case reads (TypeBox): the queries build them, the controllers return them and `@Responds`
 * documents them in `GET /docs/openapi.json`. Times are ISO 8601; `null` until they happen.
 */

/**
 * A case's SLA summary over the latest start of each of its clocks, as the clock events recorded it: `breached` when a
 * clock that is not met used its whole budget (its breach recorded by its timer, running or paused since); else
 * `warned` when a running clock passed its warning share; else `on_track` while a clock runs; else `paused` while every
 * clock that is not met is paused (waiting on the customer or a third party); else `met` when every clock is met; `none`
 * before any clock started (or when the tenant's SLA policy starts none for the case).
 */
export const slaStates = ['none', 'on_track', 'warned', 'paused', 'breached', 'met'] as const;
export type SlaState = (typeof slaStates)[number];

/** The stages of a case that is still being worked on (the worklist's default). */
export const openCaseStatuses = caseStatuses.filter((status) => status !== 'resolved' && status !== 'closed');

/** One case of a worklist. */
export const WorklistItemView = Type.Object(
  {
    caseId: Type.String(),
    status: StringEnum(caseStatuses),
    channel: StringEnum(CaseChannels),
    problemType: StringEnum(ProblemTypes, { description: 'As reported when the case was opened' }),
    category: Nullable(StringEnum(ProblemTypes), { description: 'The current classification; `null` before it' }),
    orderId: Type.String(),
    assignment: Nullable(Type.Object({ queue: Type.String(), team: Type.String(), agentId: Nullable(Type.String()) }), {
      description: 'Where the case is worked on; `null` before it is assigned',
    }),
    waiting: Nullable(Type.Object({ on: StringEnum(waitingParties), since: DateTime() }), {
      description: 'Waiting on the customer or a third party (clocks paused); `null` otherwise',
    }),
    escalationRung: Nullable(StringEnum(EscalationRungs)),
    sla: Type.Object({
      state: StringEnum(slaStates),
      nextDueAt: Nullable(DateTime({ description: "The nearest due time of the case's running clocks" })),
    }),
    openedAt: DateTime(),
    firstResponseAt: Nullable(DateTime()),
    resolvedAt: Nullable(DateTime({ description: 'The last resolution; `null` once reopened' })),
    closedAt: Nullable(DateTime()),
    reopenCount: Type.Integer({ minimum: 0 }),
    updatedAt: DateTime({ description: 'When the last event the read model applied was decided' }),
    link: Type.String({ description: 'The case: /cases/{caseId}' }),
  },
  { title: 'WorklistItemView' },
);
export type WorklistItemView = Static<typeof WorklistItemView>;

/** A page of the worklist. */
export const WorklistPageView = Type.Object(
  {
    items: ReadonlyList(WorklistItemView, {
      description: 'Nearest SLA due time first (cases without a running clock last), then opening time, then id',
    }),
    nextCursor: Nullable(Type.String(), { description: 'Pass as ?cursor= for the next page; null on the last page' }),
    next: Nullable(Type.String(), {
      description: 'The next page: this query with its cursor (path and query string); null on the last page',
    }),
  },
  { title: 'WorklistPageView' },
);
export type WorklistPageView = Static<typeof WorklistPageView>;

/** What `groupBy` groups the KPIs by. */
export const kpiGroupings = ['tenant', 'team', 'agent', 'day'] as const;
export type KpiGrouping = (typeof kpiGroupings)[number];

/** An average duration in seconds over the cases where it was measured. */
const AverageDuration = Type.Object({
  measured: Type.Integer({ minimum: 0, description: 'Cases it was measured on' }),
  averageSeconds: Nullable(Type.Number({ minimum: 0 })),
});

/** `count` of `of`, and their ratio (`null` when `of` is 0). */
const Ratio = (description: string) =>
  Type.Object(
    {
      count: Type.Integer({ minimum: 0 }),
      of: Type.Integer({ minimum: 0 }),
      rate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    },
    { description },
  );

/** Per SLA clock: its starts that ended, and those met on time. */
const clockRatio = (clockId: SlaClockId) => Ratio(`Starts of the ${clockId} clock that ended (count: met on time)`);
const clockRatios = {
  first_response: clockRatio('first_response'),
  next_response: clockRatio('next_response'),
  first_dispatch: clockRatio('first_dispatch'),
  resolution: clockRatio('resolution'),
  progress_update: clockRatio('progress_update'),
} satisfies Record<SlaClockId, TSchema>;

/** Open cases by age (now − opening), at the time of the query. */
const Backlog = Type.Object(
  {
    open: Type.Integer({ minimum: 0 }),
    underOneHour: Type.Integer({ minimum: 0 }),
    oneToFourHours: Type.Integer({ minimum: 0 }),
    fourToTwentyFourHours: Type.Integer({ minimum: 0 }),
    oneToThreeDays: Type.Integer({ minimum: 0 }),
    overThreeDays: Type.Integer({ minimum: 0 }),
  },
  {
    description:
      'Cases not resolved nor closed at asOf, whenever opened, by age: [0, 1 h), [1 h, 4 h), [4 h, 24 h), [1 d, 3 d), 3 d and more',
  },
);

/** The KPIs of one group. */
export const CaseKpiGroupView = Type.Object(
  {
    key: Nullable(Type.String(), {
      description:
        'The tenant, the team, the agent id or the local day (YYYY-MM-DD) of opening; null: cases with no team or agent',
    }),
    cases: Type.Integer({ minimum: 0, description: 'Cases opened in [from, to)' }),
    firstResponse: AverageDuration,
    handling: AverageDuration,
    firstContactResolution: Ratio(
      'Resolved cases (count: those resolved at first contact: never reopened, at most one outbound answer by an agent before the first resolution)',
    ),
    slaHitRate: Type.Object(
      {
        ...Ratio('').properties,
        byClock: Type.Object(clockRatios, { description: 'The same per clock' }),
      },
      {
        description:
          'Starts of SLA clocks of the cases that ended, met or breached (count: met on time; the others were met late or breached, met or not)',
      },
    ),
    reopenRate: Ratio('Resolved cases (count: those reopened at least once)'),
    complaintRate: Ratio('Cases (count: those with a complaint registered for them)'),
    backlog: Backlog,
  },
  { title: 'CaseKpiGroupView' },
);
export type CaseKpiGroupView = Static<typeof CaseKpiGroupView>;

/** `GET /case-kpis`. */
export const CaseKpisView = Type.Object(
  {
    from: DateTime(),
    to: DateTime(),
    groupBy: StringEnum(kpiGroupings),
    timeZone: Type.String({ description: 'The IANA zone days are counted in' }),
    asOf: DateTime({ description: 'The instant the backlog was measured at' }),
    groups: ReadonlyList(CaseKpiGroupView, { description: 'Ordered by key (null last)' }),
  },
  { title: 'CaseKpisView' },
);
export type CaseKpisView = Static<typeof CaseKpisView>;
