import { Type, type TArray, type TOptional, type TString } from '@sinclair/typebox';
import type { AnyEventContract } from './define-event';

/**
 * The after-sales case is the hub of the platform: every published event that concerns a case carries its id, in one
 * of two optional payload properties: `caseId` (one case) or `caseIds` (an aggregate spanning several cases, e.g. an
 * incident raised by complaints from many cases). Intake's case timeline (`GET /cases/:caseId/timeline`) shows every
 * such event of every service on the timeline of each case it names, without knowing the event beforehand.
 */
export const CaseReferenceProperties = ['caseId', 'caseIds'] as const;

/**
 * The optional `caseIds` property of a contract: distinct case ids, absent when the event concerns no case.
 *
 * @example
 * ```ts
 * Type.Object({ incidentId: Type.String({ format: 'uuid' }), caseIds: CaseIds('Cases of the incident’s complaints.') });
 * ```
 */
export function CaseIds(description: string): TOptional<TArray<TString>> {
  return Type.Optional(
    Type.Array(Type.String({ format: 'uuid' }), {
      uniqueItems: true,
      description: `${description} Absent when it concerns no case.`,
    }),
  );
}

/**
 * Whether events of a contract may name cases (`caseId` or `caseIds` in its payload schema).
 *
 * @example
 * ```ts
 * refersToCases(IncidentOpenedV1); // true
 * ```
 */
export function refersToCases(contract: AnyEventContract): boolean {
  const properties = contract.schema.properties as Record<string, unknown>;
  return CaseReferenceProperties.some((name) => name in properties);
}

/**
 * The distinct case ids a payload names (`caseId` and `caseIds`), in the order given; none for a payload without them.
 *
 * @example
 * ```ts
 * casesNamedBy({ incidentId, caseIds: [a, b] }); // [a, b]
 * casesNamedBy({ complaintId, caseId: a }); // [a]
 * ```
 */
export function casesNamedBy(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const { caseId, caseIds } = payload as { caseId?: unknown; caseIds?: unknown };
  const named = [caseId, ...(Array.isArray(caseIds) ? caseIds : [])];
  return [...new Set(named.filter((id): id is string => typeof id === 'string'))];
}
