import { DomainError } from '@aftersales/domain';
import type { IncidentLevel, Role } from './incident.values';

/** The rules the Incident aggregate enforces, as shown to API users in `DomainError.rule`. */
export const incidentRules = {
  openOnce: 'An incident is opened once; upgrade or merge it instead',
  mustExist: 'Only an opened incident can be acted on',
  levelChangeWhileHandling:
    'The level changes only while the incident is handled: activation, containment or resolution',
  upgradeRaises: 'An upgrade raises the level (L3 → L2 → L1)',
  downgradeLowers: 'A downgrade lowers the level (L1 → L2 → L3)',
  downgradeRoles: 'Only the roles the tenant policy allows for the level being left may downgrade an incident',
  mergeWhileHandling: 'Only an incident still being handled can be merged into, or absorb, another',
  mergeIntoOther: 'An incident merges into another incident, not into itself',
  contactWhileHandling: 'Customers are contacted between activation and resolution',
  attachWhileOpen: 'Complaints are attached to an incident until it is closed or merged',
  measuresInContainment: 'Temporary measures follow the first customer contact and precede resolution',
  deadlineNotDue: 'A contact deadline is flagged as breached only once it has passed',
  rootCauseAfterContact:
    'Root-cause analysis starts after customers are contacted, and the cause is fixed once a solution is approved',
  rootCauseGroup: 'Root and direct cause are recorded by the group responsible for the category',
  approveAfterRootCause: 'A solution is approved once, after the root cause is recorded',
  approvalRoles:
    'L1 solutions and recalls are approved by emergency leadership; L2/L3 solutions by the department head',
  implementAfterApproval: 'Only an approved solution is implemented, until its implementation is completed',
  confirmAfterImplementation: 'Customers confirm a solution once its implementation is completed',
  resolveWhenConfirmed:
    "An incident is resolved once its approved solution is implemented and the policy's share of its affected customers confirmed it (at least one), or the level's lead recorded an override",
  confirmationOverrideRoles:
    "Resolving without the policy's share of customer confirmations needs the level's lead or emergency leadership, with a reason",
  followUpAfterResolution: 'Satisfaction, follow-ups and the retrospective belong to follow-up, after resolution',
  retrospectiveOnce: 'The retrospective is recorded once',
  closeFromFollowUp: 'An incident closes from follow-up',
  closureChecks:
    'An incident closes once the quality group passed the fix, a product-quality incident has a compliant recall check, and a level-1 incident a PR statement',
  closureCheckRoles: 'Closure checks are recorded by the roles the tenant policy names (quality, legal, PR)',
  checksAfterImplementation:
    'The fix is checked once it is implemented: in resolution after implementation, or in follow-up',
  recallCheckForProductQuality: 'Recall compliance is checked for product-quality incidents',
  satisfactionMeasured:
    'An incident with surveyed customers closes once its satisfaction has been measured, or, when the survey window expired without answers, once a follow-up is recorded',
  followUpBelowTarget: 'Below the satisfaction target an incident closes only after a follow-up',
  retrospectiveBeforeClose: 'An incident closes only with its retrospective recorded',
  satisfactionRange: 'Satisfaction is a percentage (0–100) from at least one survey response',
  reasonRequired: 'Level changes, merges and declarations state their reason (the audit trail)',
  fieldRequired: 'Incident forms are filled in completely',
  archiveAtClosure:
    'Every form of an incident is archived once, when it closes, with the hash of the archive in its audit trail (seed 004 §4(四)4)',
} as const;

/** The name of a rule in {@link incidentRules}. */
export type IncidentRule = keyof typeof incidentRules;

/** `OpenIncident`/`DeclareIncident` on a stream that already holds an incident. */
export class IncidentAlreadyOpened extends DomainError {
  constructor(incidentId: string) {
    super('INCIDENT.ALREADY_OPENED', 'conflict', `Incident ${incidentId} is already open`, incidentRules.openOnce);
  }
}

/** A command for an incident that was never opened. */
export class IncidentNotFound extends DomainError {
  constructor(command: string) {
    super('INCIDENT.NOT_FOUND', 'not_found', `${command}: no such incident`, incidentRules.mustExist);
  }
}

/** A command the incident's current phase does not allow. */
export class InvalidIncidentTransition extends DomainError {
  constructor(
    readonly command: string,
    readonly status: string,
    rule: IncidentRule,
  ) {
    super('INCIDENT.INVALID_TRANSITION', 'conflict', `${command} is not allowed in ${status}`, incidentRules[rule]);
  }
}

/** A level change in the wrong direction. */
export class InvalidLevelChange extends DomainError {
  constructor(command: string, from: IncidentLevel, to: IncidentLevel) {
    super(
      'INCIDENT.INVALID_LEVEL_CHANGE',
      'conflict',
      `${command} from ${from} to ${to}`,
      incidentRules[command === 'DowngradeIncident' ? 'downgradeLowers' : 'upgradeRaises'],
    );
  }
}

/** The actor holds none of the roles allowed to downgrade from the current level. */
export class DowngradeNotAllowed extends DomainError {
  constructor(from: IncidentLevel, allowed: readonly Role[]) {
    super(
      'INCIDENT.DOWNGRADE_FORBIDDEN',
      'forbidden',
      `Downgrading from ${from} needs one of: ${allowed.join(', ') || 'nobody'}`,
      incidentRules.downgradeRoles,
    );
  }
}

/** The actor holds none of the roles allowed to approve this solution at this level. */
export class SolutionApprovalNotAllowed extends DomainError {
  constructor(level: IncidentLevel, solutionKind: string, allowed: readonly Role[]) {
    super(
      'INCIDENT.APPROVAL_FORBIDDEN',
      'forbidden',
      `Approving a ${solutionKind} for an ${level} incident needs one of: ${allowed.join(', ')}`,
      incidentRules.approvalRoles,
    );
  }
}

/** The actor is not in the group responsible for this category's cause analysis. */
export class NotResponsibleGroup extends DomainError {
  constructor(category: string, allowed: readonly Role[]) {
    super(
      'INCIDENT.NOT_RESPONSIBLE_GROUP',
      'forbidden',
      `Cause analysis of a ${category} incident is recorded by: ${allowed.join(', ')}`,
      incidentRules.rootCauseGroup,
    );
  }
}

/** `MergeIncident` naming the incident itself as survivor (or absorbing itself). */
export class SelfMerge extends DomainError {
  constructor(incidentId: string) {
    super(
      'INCIDENT.SELF_MERGE',
      'invalid',
      `Incident ${incidentId} cannot merge with itself`,
      incidentRules.mergeIntoOther,
    );
  }
}

/** The breach timer fired before the deadline. */
export class ContactDeadlineNotDue extends DomainError {
  constructor(dueAt: string, now: Date) {
    super(
      'INCIDENT.CONTACT_DEADLINE_NOT_DUE',
      'conflict',
      `Contact deadline ${dueAt} has not passed at ${now.toISOString()}`,
      incidentRules.deadlineNotDue,
    );
  }
}

/** A confirmation override by someone who is neither the level's lead nor emergency leadership. */
export class ConfirmationOverrideNotAllowed extends DomainError {
  constructor(level: IncidentLevel, allowed: readonly Role[]) {
    super(
      'INCIDENT.CONFIRMATION_OVERRIDE_FORBIDDEN',
      'forbidden',
      `Resolving an ${level} incident without enough confirmations needs one of: ${allowed.join(', ')}`,
      incidentRules.confirmationOverrideRoles,
    );
  }
}

/** `CloseIncident` while a check closing needs is missing or failed. */
export class ClosureChecksMissing extends DomainError {
  constructor(readonly missing: readonly string[]) {
    super(
      'INCIDENT.CLOSURE_CHECKS_MISSING',
      'conflict',
      `Cannot close: ${missing.join('; ')}`,
      incidentRules.closureChecks,
    );
  }
}

/** A closure check by a role the policy does not name for it. */
export class ClosureCheckNotAllowed extends DomainError {
  constructor(check: string, allowed: readonly Role[]) {
    super(
      'INCIDENT.CLOSURE_CHECK_FORBIDDEN',
      'forbidden',
      `The ${check} is recorded by: ${allowed.join(', ')}`,
      incidentRules.closureCheckRoles,
    );
  }
}

/** `ResolveIncident` before the solution is implemented and confirmed. */
export class ResolutionIncomplete extends DomainError {
  constructor(missing: string) {
    super(
      'INCIDENT.RESOLUTION_INCOMPLETE',
      'conflict',
      `Cannot resolve: ${missing}`,
      incidentRules.resolveWhenConfirmed,
    );
  }
}

/** `CloseIncident` before any satisfaction was recorded. */
export class SatisfactionNotMeasured extends DomainError {
  constructor(incidentId: string) {
    super(
      'INCIDENT.SATISFACTION_NOT_MEASURED',
      'conflict',
      `Incident ${incidentId} has no satisfaction measurement`,
      incidentRules.satisfactionMeasured,
    );
  }
}

/** `CloseIncident` while satisfaction is below target and no follow-up has been made since. */
export class FollowUpOutstanding extends DomainError {
  constructor(percent: number, targetPercent: number) {
    super(
      'INCIDENT.FOLLOW_UP_OUTSTANDING',
      'conflict',
      `Satisfaction ${percent}% is below the target of ${targetPercent}% and no follow-up is recorded`,
      incidentRules.followUpBelowTarget,
    );
  }
}

/** `CloseIncident` without a retrospective. */
export class RetrospectiveMissing extends DomainError {
  constructor(incidentId: string) {
    super(
      'INCIDENT.RETROSPECTIVE_MISSING',
      'conflict',
      `Incident ${incidentId} has no retrospective`,
      incidentRules.retrospectiveBeforeClose,
    );
  }
}

/** A satisfaction percentage outside 0–100 or without responses. */
export class SatisfactionOutOfRange extends DomainError {
  constructor(percent: number, responses: number) {
    super(
      'INCIDENT.SATISFACTION_OUT_OF_RANGE',
      'invalid',
      `Satisfaction ${percent}% from ${responses} responses`,
      incidentRules.satisfactionRange,
    );
  }
}

/** A level change, merge or declaration without a reason. */
export class ReasonRequired extends DomainError {
  constructor(command: string) {
    super('INCIDENT.REASON_REQUIRED', 'invalid', `${command} needs a reason`, incidentRules.reasonRequired);
  }
}

/** A required field of a form is blank. */
export class FieldRequired extends DomainError {
  constructor(command: string, field: string) {
    super('INCIDENT.FIELD_REQUIRED', 'invalid', `${command} needs ${field}`, incidentRules.fieldRequired);
  }
}

/** `ArchiveIncident` (or building an archive) before the incident closed, or a second time with another archive. */
export class IncidentNotClosedForArchive extends DomainError {
  constructor(incidentId: string, why = 'is not closed') {
    super('INCIDENT.ARCHIVE_NOT_ALLOWED', 'conflict', `Incident ${incidentId} ${why}`, incidentRules.archiveAtClosure);
  }
}
