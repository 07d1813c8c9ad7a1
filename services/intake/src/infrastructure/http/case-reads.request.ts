import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '@aftersales/contracts';
import { caseStatuses } from '../../domain/case.values';
import { kpiGroupings, slaStates } from '../read-model/case-reads.views';

/**
 * Queries of intake's case reads (`GET /cases`, `GET /case-kpis`), validated by `SchemaPipe` (400 with field errors)
 * and documented in the OpenAPI. Query values arrive as strings; unknown or repeated parameters are refused.
 */

/** A comma-separated list of `values` (each at most once is not required: repeats mean the same). */
const ListOf = (values: readonly string[], description: string) =>
  Type.String({ pattern: `^(?:${values.join('|')})(?:,(?:${values.join('|')}))*$`, maxLength: 400, description });

/** A reference (agent, team, queue) as the assignment records it: printable, no spaces at the ends. */
const Ref = (description: string) =>
  Type.String({ minLength: 1, maxLength: 128, pattern: '^\\S(.*\\S)?$', description });

/** The time part of an ISO 8601 duration: `T` and at least one of hours, minutes, seconds, in that order. */
const TIME_PART = 'T(?:[0-9]{1,4}H(?:[0-9]{1,6}M)?(?:[0-9]{1,7}S)?|[0-9]{1,6}M(?:[0-9]{1,7}S)?|[0-9]{1,7}S)';

/** The largest page of the worklist. */
export const WORKLIST_MAX_PAGE = 200;

/** `GET /cases` */
export const WorklistQuery = Type.Object(
  {
    status: Type.Optional(
      ListOf(caseStatuses, 'Stages, comma-separated; default: every stage but resolved and closed'),
    ),
    assignee: Type.Optional(Ref('The agent the case is assigned to; `me` for the caller')),
    slaState: Type.Optional(ListOf(slaStates, 'SLA states, comma-separated')),
    breachingWithin: Type.Optional(
      Type.String({
        maxLength: 24,
        pattern: `^P(?:[0-9]{1,3}D(?:${TIME_PART})?|${TIME_PART})$`,
        description:
          'ISO 8601 duration (days, hours, minutes, seconds; e.g. PT30M, PT4H, P1D), up to 366 days: cases whose nearest due time is within it from now, overdue ones included',
      }),
    ),
    team: Type.Optional(Ref('The team the case is assigned to')),
    queue: Type.Optional(Ref('The queue the case is in')),
    limit: Type.Optional(
      Type.String({
        pattern: '^(?:[1-9][0-9]?|1[0-9]{2}|200)$',
        description: `Page size, 1 to ${WORKLIST_MAX_PAGE} (50)`,
      }),
    ),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'nextCursor of the previous page, with the same filters',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WorklistQuery = Static<typeof WorklistQuery>;

/** `GET /case-kpis` */
export const CaseKpisQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        maxLength: 40,
        description: 'Cases opened from (included); default: to − 30 days',
      }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'Cases opened before (excluded); default: now' }),
    ),
    groupBy: Type.Optional(StringEnum(kpiGroupings, { description: 'Default: tenant' })),
  },
  { additionalProperties: false },
);
export type CaseKpisQuery = Static<typeof CaseKpisQuery>;

const DAY_MS = 86_400_000;
/** The longest `breachingWithin`: a year. */
export const MAX_BREACHING_WITHIN_MS = 366 * DAY_MS;

/**
 * Milliseconds of a `breachingWithin` duration (`PT30M`, `P1DT2H`), or `null` when it is empty (`P`, `PT`), zero,
 * longer than {@link MAX_BREACHING_WITHIN_MS} or not of the schema's form.
 */
export function breachingWithinMs(value: string): number | null {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match) return null;
  const [, days, hours, minutes, secs] = match;
  if (value.endsWith('T') || [days, hours, minutes, secs].every((part) => part === undefined)) return null;
  const ms =
    (Number(days ?? 0) * 24 * 3600 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(secs ?? 0)) * 1000;
  return ms > 0 && ms <= MAX_BREACHING_WITHIN_MS ? ms : null;
}
