import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CaseChannels, CasePriorities, ProblemTypes, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable } from '@aftersales/platform-http';
import { budgetUnits, slaClockIds, slaLadderRungs } from '../../domain/sla-policy';

/**
 * The SLA policy over HTTP (`PUT /sla-policies` body, `GET /sla-policies` view): the domain's `SlaPolicy` as a schema.
 * The shape is checked here (400 with field errors); the calendar's and the budgets' rules by `validateSlaPolicy` in the
 * controller (400 with the same field errors, pointers into the body).
 */

const strict = { additionalProperties: false } as const;
const List = <S extends TSchema>(items: S, maxItems: number, description?: string) =>
  Type.Array(items, { maxItems, ...(description ? { description } : {}) });

const Budget = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'A whole number of units' }),
    unit: StringEnum(budgetUnits, {
      description: "`working_days`: the calendar's business time of one working day per day (business basis only)",
    }),
  },
  strict,
);

const Calendar = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' }),
    workingDays: List(Type.Integer({ minimum: 1, maximum: 7 }), 7, 'ISO weekdays: 1 = Monday … 7 = Sunday'),
    shifts: List(
      Type.Object(
        {
          start: Type.String({ maxLength: 5, description: 'Local time HH:MM' }),
          end: Type.String({ maxLength: 5, description: 'HH:MM; at or before start: the shift ends the next day' }),
        },
        strict,
      ),
      12,
    ),
    holidays: List(Type.String({ maxLength: 10, description: 'Local date YYYY-MM-DD' }), 400),
    extraWorkingDays: Type.Optional(List(Type.String({ maxLength: 10 }), 400, 'Make-up days worked (YYYY-MM-DD)')),
  },
  { ...strict, description: "The tenant's business hours (the default: Asia/Shanghai, 09:00–22:30 daily)" },
);

const Conditions = Type.Object(
  {
    channels: Type.Optional(List(StringEnum(CaseChannels), CaseChannels.length)),
    problemTypes: Type.Optional(
      List(StringEnum(ProblemTypes), ProblemTypes.length, "Matched against the case's category now"),
    ),
    priorities: Type.Optional(List(StringEnum(CasePriorities), CasePriorities.length)),
    offHours: Type.Optional(Type.Boolean({ description: 'The clock starts outside business hours (true) or in them' })),
  },
  { ...strict, description: 'Every condition given must hold; an absent one always does' },
);

/** The SLA policy, whole. */
export const SlaPolicySchema = Type.Object(
  {
    calendar: Calendar,
    warningShare: Type.Number({
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      description: 'Share of a budget whose use warns the agent (default 0.8)',
    }),
    targets: List(
      Type.Object(
        {
          clock: StringEnum(slaClockIds),
          when: Conditions,
          budget: Budget,
          basis: StringEnum(['business', 'elapsed'] as const, {
            description: "What the budget counts: the calendar's business hours, or elapsed time",
          }),
        },
        strict,
      ),
      50,
      'In order: for each clock, the first target whose conditions hold; none, the case runs no such clock',
    ),
    complexCategories: List(StringEnum(ProblemTypes), ProblemTypes.length, 'Categories that run the progress clock'),
    dispatchCategories: List(StringEnum(ProblemTypes), ProblemTypes.length, 'Categories that run the dispatch clock'),
    escalation: Type.Object(
      {
        ladder: Type.Array(
          Type.Object(
            {
              rung: StringEnum(slaLadderRungs),
              afterBreach: Budget,
            },
            strict,
          ),
          {
            minItems: 1,
            maxItems: slaLadderRungs.length,
            description: 'supervisor, then complaint_team: the business time after a breach at which each is reached',
          },
        ),
        webhookUrl: Nullable(Type.String({ format: 'uri', maxLength: 2000 }), {
          description: "Where warnings and escalations are notified (allow-listed); null: the operator's webhook",
        }),
      },
      strict,
    ),
  },
  { ...strict, title: 'SlaPolicy' },
);
export type SlaPolicySchema = Static<typeof SlaPolicySchema>;

/** `GET /sla-policies`, `PUT /sla-policies`: the policy in force, the defaults, who set it last. */
export const SlaPoliciesView = Type.Object(
  {
    policy: SlaPolicySchema,
    defaults: SlaPolicySchema,
    updatedAt: Nullable(DateTime(), { description: '`null` while the tenant runs on the defaults' }),
    updatedBy: Nullable(Type.String()),
  },
  { title: 'SlaPoliciesView' },
);
export type SlaPoliciesView = Static<typeof SlaPoliciesView>;

/** `GET /cases/:caseId/sla`: the case's clocks with their figures now, on the tenant's calendar. */
export const CaseSlaView = Type.Object(
  {
    caseId: Type.String({ format: 'uuid' }),
    clocks: Type.Array(
      Type.Object({
        clockId: StringEnum(slaClockIds),
        instance: Type.Integer({ minimum: 1, description: '1 for the first start of the clock, 2 after a restart…' }),
        status: StringEnum(['active', 'paused', 'breached', 'met'] as const, {
          description: 'At `asOf`; `breached` as soon as the budget is used, before the timer records it',
        }),
        basis: StringEnum(['business', 'elapsed'] as const),
        budgetMs: Type.Integer(),
        startedAt: DateTime(),
        asOf: DateTime({ description: "The instant of the figures: `at`, or the clock's latest change" }),
        consumedMs: Type.Integer({ description: 'Time of its basis used so far (until met), pauses excluded' }),
        remainingMs: Type.Integer({ description: 'Negative once overdue' }),
        dueAt: Nullable(DateTime(), { description: 'null while paused with budget left, or met on time' }),
        warnAt: Nullable(DateTime()),
        warnedAt: Nullable(DateTime()),
        breachedAt: Nullable(DateTime()),
        metAt: Nullable(DateTime()),
        late: Nullable(Type.Boolean(), { description: 'Met late (null until met)' }),
      }),
    ),
  },
  { title: 'CaseSlaView' },
);
export type CaseSlaView = Static<typeof CaseSlaView>;

/** `GET /cases/:caseId/sla?at=…`: the instant of the figures (e.g. now); absent, each clock's latest change. */
export const CaseSlaQuery = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', description: 'The instant the figures are computed at' })) },
  strict,
);
export type CaseSlaQuery = Static<typeof CaseSlaQuery>;
