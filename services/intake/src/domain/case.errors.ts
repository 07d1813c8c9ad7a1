import { DomainError, type DomainErrorKind } from '@aftersales/domain';

/**
 * The rules of the Case aggregate: a stable code (the problem's `code`), how it is answered (409 conflict, 422 invalid,
 * 404, 403) and the rule shown to API users (the problem's `rule`), with its seed where one says so.
 */
export const caseRules = {
  notAcknowledged: {
    code: 'CASE.NOT_ACKNOWLEDGED',
    kind: 'conflict',
    rule: 'A case is worked on once the customer has been told it is accepted (seed 000 §2.1)',
  },
  alreadyAcknowledged: { code: 'CASE.ALREADY_ACKNOWLEDGED', kind: 'conflict', rule: 'A case is acknowledged once' },
  acknowledgementIncomplete: {
    code: 'CASE.ACKNOWLEDGEMENT_INCOMPLETE',
    kind: 'invalid',
    rule: 'An acknowledgement tells the customer the expected cycle or the next step (seed 000 §2.1)',
  },
  handledFromRequired: {
    code: 'CASE.HANDLED_FROM_REQUIRED',
    kind: 'invalid',
    rule: 'An automatic acknowledgement tells the customer when, still ahead, the case will be handled (seed 002 §1.1)',
  },
  notClassified: { code: 'CASE.NOT_CLASSIFIED', kind: 'conflict', rule: 'A case is assigned once it is classified' },
  sameCategory: { code: 'CASE.SAME_CATEGORY', kind: 'conflict', rule: 'A reclassification changes the category' },
  reclassificationReason: {
    code: 'CASE.RECLASSIFICATION_REASON_REQUIRED',
    kind: 'invalid',
    rule: 'A reclassification states why; it is recorded with the previous category',
  },
  notAssigned: { code: 'CASE.NOT_ASSIGNED', kind: 'conflict', rule: 'A case is investigated once it is assigned' },
  sameAssignment: {
    code: 'CASE.SAME_ASSIGNMENT',
    kind: 'conflict',
    rule: 'A reassignment changes the queue, the team or the agent',
  },
  investigationStarted: {
    code: 'CASE.INVESTIGATION_STARTED',
    kind: 'conflict',
    rule: 'An investigation starts once per assignment or reopening',
  },
  notInvestigating: {
    code: 'CASE.NOT_INVESTIGATING',
    kind: 'conflict',
    rule: 'Facts, responsibility and solution proposals belong to the investigation (seed 000 §3.2)',
  },
  factsRequired: {
    code: 'CASE.FACTS_REQUIRED',
    kind: 'conflict',
    rule: 'Responsibility is determined on the facts gathered (seed 000 §3.2.1–3)',
  },
  sameResponsibility: {
    code: 'CASE.SAME_RESPONSIBILITY',
    kind: 'conflict',
    rule: 'A new determination of responsibility changes the party or its basis',
  },
  responsibilityUndetermined: {
    code: 'CASE.RESPONSIBILITY_UNDETERMINED',
    kind: 'conflict',
    rule: 'Solutions are proposed once responsibility is determined (seed 000 §3.2.4)',
  },
  solutionCount: {
    code: 'CASE.SOLUTION_COUNT',
    kind: 'invalid',
    rule: 'A proposal puts 1 to 3 solutions to the customer (seed 000 §3.2.4)',
  },
  noProposal: {
    code: 'CASE.NO_SOLUTION_PROPOSED',
    kind: 'conflict',
    rule: 'The customer accepts or rejects a proposal that is on the table (seed 000 §3.3.2)',
  },
  unknownOption: {
    code: 'CASE.UNKNOWN_OPTION',
    kind: 'invalid',
    rule: 'The customer accepts one of the options proposed',
  },
  notInExecution: {
    code: 'CASE.NOT_IN_EXECUTION',
    kind: 'conflict',
    rule: "Collaborations and the resolution follow the customer's acceptance of a solution (seed 000 §3.3)",
  },
  deadlinePassed: {
    code: 'CASE.DEADLINE_PASSED',
    kind: 'invalid',
    rule: 'A collaboration request sets a deadline still ahead (seed 000 §3.3.3)',
  },
  collaborationExists: {
    code: 'CASE.COLLABORATION_EXISTS',
    kind: 'conflict',
    rule: 'A collaboration request is made once',
  },
  collaborationNotFound: {
    code: 'CASE.COLLABORATION_NOT_FOUND',
    kind: 'not_found',
    rule: 'Only a collaboration the case requested is completed',
  },
  collaborationCompleted: {
    code: 'CASE.COLLABORATION_COMPLETED',
    kind: 'conflict',
    rule: 'A collaboration is completed once',
  },
  collaborationsOpen: {
    code: 'CASE.COLLABORATIONS_OPEN',
    kind: 'conflict',
    rule: 'A case is resolved once every collaboration it requested is done (seed 000 §3.3.4–5)',
  },
  waiting: {
    code: 'CASE.WAITING',
    kind: 'conflict',
    rule: 'A case waiting on the customer or a third party is resolved after the reply',
  },
  alreadyWaiting: { code: 'CASE.ALREADY_WAITING', kind: 'conflict', rule: 'A case waits on one party at a time' },
  notWaiting: { code: 'CASE.NOT_WAITING', kind: 'conflict', rule: 'Only a waiting case stops waiting' },
  alreadyResolved: { code: 'CASE.ALREADY_RESOLVED', kind: 'conflict', rule: 'A case is resolved once until reopened' },
  resolved: {
    code: 'CASE.RESOLVED',
    kind: 'conflict',
    rule: "A resolved case is closed, or reopened on the customer's objection; it is not worked on",
  },
  closed: {
    code: 'CASE.CLOSED',
    kind: 'conflict',
    rule: "A closed case is only reopened, on the customer's objection within the reopen window",
  },
  notResolved: { code: 'CASE.NOT_RESOLVED', kind: 'conflict', rule: 'Only a resolved case is closed or reopened' },
  reopenWindowPassed: {
    code: 'CASE.REOPEN_WINDOW_PASSED',
    kind: 'conflict',
    rule: "The customer's objection reopens a case within the tenant's reopen window after its resolution",
  },
  alreadyEscalated: {
    code: 'CASE.ALREADY_ESCALATED',
    kind: 'conflict',
    rule: 'An escalation takes a case up its ladder: supervisor → complaint team → senior management',
  },
  escalationForbidden: {
    code: 'CASE.ESCALATION_FORBIDDEN',
    kind: 'forbidden',
    rule: 'A case goes to the complaint team or senior management by a supervisor or above, or by the platform’s own rules (seed 000 §3.5.2)',
  },
  identityNotVerified: {
    code: 'CASE.IDENTITY_NOT_VERIFIED',
    kind: 'conflict',
    rule: "Sensitive order data is shown or changed only while the customer's identity is verified (seed 000 §2.2)",
  },
  orderChangeExists: { code: 'CASE.ORDER_CHANGE_EXISTS', kind: 'conflict', rule: 'An order change is requested once' },
  fieldRequired: { code: 'CASE.FIELD_REQUIRED', kind: 'invalid', rule: 'Case records are filled in, not left blank' },
  slaTimerStale: {
    code: 'CASE.SLA_TIMER_STALE',
    kind: 'conflict',
    rule: 'A clock timer acts on the start of the clock it was set for; a restarted clock has timers of its own',
  },
  slaClockPaused: {
    code: 'CASE.SLA_CLOCK_PAUSED',
    kind: 'conflict',
    rule: 'A paused clock uses none of its budget: it warns once it runs again',
  },
  slaClockNotBreached: {
    code: 'CASE.SLA_CLOCK_NOT_BREACHED',
    kind: 'conflict',
    rule: 'A clock climbs the escalation ladder (supervisor, complaint team) once breached, until it is met (domain.md §1)',
  },
} as const satisfies Record<string, { code: string; kind: DomainErrorKind; rule: string }>;

/** The name of a rule in {@link caseRules}. */
export type CaseRule = keyof typeof caseRules;

/** A command the case's rules refuse; `code` and `rule` say which rule. */
export class CaseRuleBroken extends DomainError {
  constructor(
    readonly broken: CaseRule,
    detail: string,
  ) {
    const { code, kind, rule } = caseRules[broken];
    super(code, kind, detail, rule);
  }
}

/** A command for a case that does not exist, or is another tenant's: indistinguishable on purpose. */
export class CaseNotFound extends DomainError {
  constructor(caseId?: string) {
    super(
      'CASE.NOT_FOUND',
      'not_found',
      caseId ? `No case ${caseId} in your tenant` : 'No such case in your tenant',
      'A case is seen only in its own tenant',
    );
  }
}

export class CaseAlreadyOpened extends DomainError {
  constructor(caseId: string) {
    super(
      'CASE.ALREADY_OPENED',
      'conflict',
      `Case ${caseId} is already open`,
      'A case is opened once; update it instead',
    );
  }
}

export class PurchaseInTheFuture extends DomainError {
  constructor(purchasedAt: string) {
    super(
      'CASE.PURCHASE_IN_FUTURE',
      'invalid',
      `purchasedAt ${purchasedAt} is later than now`,
      'A purchase precedes its after-sales case',
    );
  }
}
