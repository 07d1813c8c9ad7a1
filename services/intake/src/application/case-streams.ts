import type { SlaClockId, SlaLadderRung } from '../domain/sla-policy';

/**
 * The event-store streams and durable timer ids of intake's cases: one home for the convention, imported by the write
 * side, the timers and the tests.
 */

/** The stream of one case. */
export const caseStream = (caseId: string) => `case-${caseId}`;

/** The case id of a case stream; `null` for any other stream (complaints, policies, customers). */
export function caseIdOfStream(streamId: string): string | null {
  return streamId.startsWith('case-') && !streamId.startsWith('case-policy-') ? streamId.slice('case-'.length) : null;
}

/** Kinds of intake's durable timers. */
export const slaTimerKinds = {
  /** A clock's warning share runs out: `RecordSlaWarning`. */
  warning: 'sla-warning',
  /** A clock's budget runs out: `RecordSlaBreach`. */
  breach: 'sla-breach',
  /** A rung's deadline after a breach: `EscalateSlaBreach`. */
  rung: 'sla-rung',
  /** Delivers one SLA notification (a warning to the agent, an escalation to a rung) through the notifier. */
  notification: 'sla-notification',
} as const;

/** Who an SLA notification is for: the agent (a warning), or the rung a breached clock reached. */
export type SlaNotifiedRung = 'agent' | SlaLadderRung;

/**
 * The warning or breach timer of one start of one clock of a case (`instance`: 1, then 2 after a restart…): a
 * deterministic id, so a resumption reschedules the same timer and a restarted clock gets timers of its own.
 */
export const slaClockTimerId = (caseId: string, clockId: SlaClockId, instance: number, kind: 'warning' | 'breach') =>
  `case:${caseId}:sla:${clockId}:${instance}:${kind}`;

/** The timer of a rung's deadline after the breach of one start of a clock. */
export const slaRungTimerId = (caseId: string, clockId: SlaClockId, instance: number, rung: SlaLadderRung) =>
  `case:${caseId}:sla:${clockId}:${instance}:rung:${rung}`;

/**
 * The key of one SLA notification, per case, clock (its start) and rung: its delivery timer's id, the `Idempotency-Key`
 * sent to the webhook and the key of its delivery record. A rung is notified once for a clock, across retries and
 * restarts.
 */
export const slaNotificationKey = (caseId: string, clockId: SlaClockId, instance: number, rung: SlaNotifiedRung) =>
  `sla:${caseId}:${clockId}:${instance}:${rung}`;
