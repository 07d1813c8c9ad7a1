import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IncidentCategories, IncidentLevels, StringEnum } from '@aftersales/contracts';
import type { SolutionKind, TemporaryMeasureKind } from '../../domain';

/**
 * Bodies of the incident command routes (TypeBox → JSON Schema; `SchemaPipe` answers 400 with one error per field).
 * The shapes mirror the domain commands; the domain still checks what only it knows (phase, roles, blank text).
 */

const strict = { additionalProperties: false } as const;
const text = (maxLength = 2_000) => Type.String({ minLength: 1, maxLength });
const reason = text();
const level = StringEnum(IncidentLevels);
const customerRef = Type.String({ minLength: 1, maxLength: 128, description: 'Opaque customer reference' });
const role = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9-]*$' });
const body = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, strict);

/** `POST /incidents`: an incident declared by hand (staff report, internal alarm), graded by the declarer. */
export const DeclareIncidentRequest = body({
  incidentId: Type.Optional(Type.String({ format: 'uuid', description: 'Client-chosen id; generated when absent' })),
  category: StringEnum(IncidentCategories),
  level,
  summary: text(500),
  reason,
  clusterKey: Type.Optional(text(300)),
});
export type DeclareIncidentRequest = Static<typeof DeclareIncidentRequest>;

/** `POST /incidents/:id/upgrade` and `/downgrade`. */
export const ChangeLevelRequest = body({ toLevel: level, reason });
export type ChangeLevelRequest = Static<typeof ChangeLevelRequest>;

/** `POST /incidents/:id/merge`: this incident ends as a duplicate of `survivorId`. */
export const MergeIncidentRequest = body({ survivorId: Type.String({ format: 'uuid' }), reason });
export type MergeIncidentRequest = Static<typeof MergeIncidentRequest>;

/** `POST /incidents/:id/contacts`: affected customers were contacted. */
export const RecordContactsRequest = body({
  customerRefs: Type.Array(customerRef, { minItems: 1, maxItems: 1_000 }),
  summary: text(),
});
export type RecordContactsRequest = Static<typeof RecordContactsRequest>;

export const TemporaryMeasureKinds = [
  'spare-product',
  'on-site-repair',
  'temporary-refund',
  'apology-coupon',
  'expedited-handling',
  'changed-service-time',
  'alternative-pickup',
] as const satisfies readonly TemporaryMeasureKind[];

/** `POST /incidents/:id/temporary-measures`. */
export const RecordTemporaryMeasureRequest = body({
  measure: StringEnum(TemporaryMeasureKinds),
  description: text(),
  customerRefs: Type.Optional(Type.Array(customerRef, { maxItems: 1_000 })),
});
export type RecordTemporaryMeasureRequest = Static<typeof RecordTemporaryMeasureRequest>;

/** `POST /incidents/:id/root-cause`. */
export const RecordRootCauseRequest = body({ rootCause: text(4_000), directCause: text(4_000) });
export type RecordRootCauseRequest = Static<typeof RecordRootCauseRequest>;

export const SolutionKinds = [
  'repair',
  'replace',
  'recall',
  'process-change',
  'training',
  'compensation',
  'capacity',
] as const satisfies readonly SolutionKind[];

/** `POST /incidents/:id/solution-approval`. */
export const ApproveSolutionRequest = body({
  solution: Type.Object({ kind: StringEnum(SolutionKinds), description: text(4_000) }, strict),
});
export type ApproveSolutionRequest = Static<typeof ApproveSolutionRequest>;

/** `POST /incidents/:id/implementation`. */
export const RecordImplementationRequest = body({ progress: text(), completed: Type.Boolean() });
export type RecordImplementationRequest = Static<typeof RecordImplementationRequest>;

/** `POST /incidents/:id/customer-confirmations`. */
export const RecordConfirmationRequest = body({
  customerRef,
  satisfaction: StringEnum(['satisfied', 'neutral', 'dissatisfied'] as const),
  note: Type.Optional(text()),
});
export type RecordConfirmationRequest = Static<typeof RecordConfirmationRequest>;

/** `POST /incidents/:id/resolve`. */
export const ResolveIncidentRequest = body({
  summary: text(),
  confirmationOverride: Type.Optional(
    Type.Object(
      { reason: text() },
      {
        ...strict,
        description:
          "Resolve with fewer confirmations than the policy's share requires: the level's lead (or emergency leadership), with the reason",
      },
    ),
  ),
});
export type ResolveIncidentRequest = Static<typeof ResolveIncidentRequest>;

/** `POST /incidents/:id/quality-check`: the quality group's check of the fix. */
export const RecordQualityCheckRequest = body({ passed: Type.Boolean(), findings: text(4_000) });
export type RecordQualityCheckRequest = Static<typeof RecordQualityCheckRequest>;

/** `POST /incidents/:id/recall-compliance`: whether a recall is required and whether it complies, on which basis. */
export const RecordRecallComplianceRequest = body({
  recallRequired: Type.Boolean(),
  compliant: Type.Boolean(),
  basis: text(4_000),
});
export type RecordRecallComplianceRequest = Static<typeof RecordRecallComplianceRequest>;

/** `POST /incidents/:id/pr-statements`: PR's public statement and where it was published. */
export const RecordPrStatementRequest = body({
  statement: text(4_000),
  channels: Type.Array(text(100), { minItems: 1, maxItems: 20 }),
});
export type RecordPrStatementRequest = Static<typeof RecordPrStatementRequest>;

/** `POST /incidents/:id/follow-ups`. */
export const RecordFollowUpRequest = body({ action: text(200), description: text() });
export type RecordFollowUpRequest = Static<typeof RecordFollowUpRequest>;

/** `POST /incidents/:id/retrospective`: 5W1H; the recorded timeline is added by the domain. */
export const RecordRetrospectiveRequest = body({
  what: text(4_000),
  why: text(4_000),
  who: text(4_000),
  when: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), what: text() }, strict), { maxItems: 200 }),
  where: text(4_000),
  how: text(4_000),
  improvementActions: Type.Array(
    Type.Object({ action: text(), owner: role, dueAt: Type.Optional(Type.String({ format: 'date-time' })) }, strict),
    { minItems: 1, maxItems: 100 },
  ),
});
export type RecordRetrospectiveRequest = Static<typeof RecordRetrospectiveRequest>;

/** `POST /incidents/:id/close`. */
export const CloseIncidentRequest = body({ reason: Type.Optional(text()) });
export type CloseIncidentRequest = Static<typeof CloseIncidentRequest>;
