import { createHash } from 'node:crypto';
import { deterministicUuid } from '@aftersales/eventstore';

export const surveyStream = (surveyId: string) => `survey-${surveyId}`;
export const satisfactionStream = (incidentId: string) => `incident-satisfaction-${incidentId}`;

/**
 * The survey id of a customer of an incident: derived (sha256, UUID layout, version 8) from tenant, incident and
 * customer, so a redelivered or repeated resolution finds the survey it already sent instead of sending another.
 */
export function surveyIdFor(tenant: string, incidentId: string, customerRef: string): string {
  const h = createHash('sha256')
    .update(JSON.stringify(['survey', tenant, incidentId, customerRef]))
    .digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const caseSurveyStream = (surveyId: string) => `case-survey-${surveyId}`;

/**
 * The survey of one resolution of a case: derived from tenant, case and resolution time, so a redelivered
 * `CaseResolvedV1` finds the survey it scheduled, and a case reopened and resolved again is surveyed again.
 */
export const caseSurveyIdFor = (tenant: string, caseId: string, resolvedAt: string) =>
  deterministicUuid(`case-survey|${tenant}|${caseId}|${new Date(resolvedAt).toISOString()}`);
