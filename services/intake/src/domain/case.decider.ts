import { assertNever, type CommandContext, type Decider } from '@aftersales/domain';
import type {
  AcceptSolution,
  AcknowledgeCase,
  AssignCase,
  CaseCommand,
  ClassifyCase,
  CloseCase,
  CompleteCollaboration,
  DetermineResponsibility,
  EndWaiting,
  EscalateCase,
  EscalateSlaBreach,
  OpenCase,
  ProposeSolutions,
  RecordCommunication,
  RecordFact,
  RejectSolutions,
  ReopenCase,
  RequestCollaboration,
  RequestOrderChange,
  ResolveCase,
  StartInvestigation,
  StartWaiting,
  VerifyCustomerIdentity,
} from './case.commands';
import { CaseAlreadyOpened, CaseNotFound, CaseRuleBroken, PurchaseInTheFuture } from './case.errors';
import type { CaseEvent, CaseWaitingEnded } from './case.events';
import { defaultCasePolicy, type CasePolicy } from './case-policy';
import { evolve, initialState, type CaseIn, type CaseState, type OpenedCaseState } from './case.state';
import { isHigherRung, seniorEscalationRoles, type WaitEnding } from './case.values';
import { clockReactions, overdueClock, recordBreach, recordWarning } from './case-sla';
import type { SlaPolicy } from './sla-policy';

export type { CaseCommand, OpenCase } from './case.commands';
export type { CaseState } from './case.state';

/**
 * The Case aggregate for a tenant's case policy and SLA policy: `decide` reads the policies, `evolve` only events (the
 * reopen window, a verification's validity and the clocks' due instants are written into them), so a later policy
 * change never rewrites a case's history. With an SLA policy (its business calendar included) every decision is
 * followed by the clock rules of `case-sla.ts`; without one (`caseDecider`, the lifecycle's specs) no clock runs.
 *
 * @example
 * ```ts
 * const decider = createCaseDecider(await policies.forTenant(tenant), await slaPolicies.forTenant(tenant));
 * commands.handle(decider, caseStream(caseId), origin, { type: 'AssignCase', data: { queue, team, agentId, reason } });
 * ```
 */
export function createCaseDecider(
  policy: CasePolicy = defaultCasePolicy,
  sla: SlaPolicy | null = null,
): Decider<CaseState, CaseCommand, CaseEvent> {
  return {
    decide: (command, state) => {
      const decided = decide(command, state, policy, sla);
      if (!sla || decided.length === 0) return decided;
      return [...decided, ...clockReactions(state, decided, sla, command.context.now)];
    },
    evolve,
    initialState,
  };
}

/** The Case aggregate with the default case policy and no SLA clocks. */
export const caseDecider = createCaseDecider();

function decide(command: CaseCommand, state: CaseState, policy: CasePolicy, sla: SlaPolicy | null): CaseEvent[] {
  if (command.type === 'OpenCase') return open(command, state);
  const current = existing(state, command);
  switch (command.type) {
    case 'AcknowledgeCase':
      return acknowledge(command, current);
    case 'ClassifyCase':
      return classify(command, current);
    case 'AssignCase':
      return assign(command, current);
    case 'StartInvestigation':
      return startInvestigation(command, current);
    case 'RecordFact':
      return recordFact(command, current);
    case 'DetermineResponsibility':
      return determineResponsibility(command, current);
    case 'ProposeSolutions':
      return proposeSolutions(command, current);
    case 'AcceptSolution':
      return acceptSolution(command, current);
    case 'RejectSolutions':
      return rejectSolutions(command, current);
    case 'RequestCollaboration':
      return requestCollaboration(command, current);
    case 'CompleteCollaboration':
      return completeCollaboration(command, current);
    case 'ResolveCase':
      return resolve(command, current, policy);
    case 'CloseCase':
      return close(command, current);
    case 'ReopenCase':
      return reopen(command, current);
    case 'StartWaiting':
      return startWaiting(command, current);
    case 'EndWaiting':
      return endWaiting(command, current);
    case 'EscalateCase':
      return escalate(command, current);
    case 'VerifyCustomerIdentity':
      return verifyIdentity(command, current, policy);
    case 'RequestOrderChange':
      return requestOrderChange(command, current);
    case 'RecordCommunication':
      return recordCommunication(command, current);
    case 'RecordSlaWarning':
      return recordWarning(current, command.data, command.context, sla);
    case 'RecordSlaBreach':
      return recordBreach(current, command.data, command.context, sla);
    case 'EscalateSlaBreach':
      return escalateBreach(command, current, sla);
    default:
      return assertNever(command);
  }
}

// ---- shared guards --------------------------------------------------------------------------------------------------

/** The case the command is for: it exists and is the caller's tenant's (another tenant's case does not exist for it). */
function existing(state: CaseState, command: Exclude<CaseCommand, OpenCase>): OpenedCaseState {
  if (state.status === 'none') throw new CaseNotFound();
  if (state.case.tenant !== command.context.tenant) throw new CaseNotFound(state.case.caseId);
  return state;
}

/** What every event after `CaseOpened` records: the case, when, by whom. */
function audit(state: OpenedCaseState, context: CommandContext) {
  return { caseId: state.case.caseId, at: context.now.toISOString(), by: context.actor.id };
}

function refused(rule: ConstructorParameters<typeof CaseRuleBroken>[0], command: string, state: OpenedCaseState) {
  return new CaseRuleBroken(rule, `${command} refused: case ${state.case.caseId} is ${state.status}`);
}

/** Work on a case ends with its resolution: a resolved or closed case is only closed or reopened. */
function refuseFinished(command: string, state: OpenedCaseState): void {
  if (state.status === 'closed') throw refused('closed', command, state);
  if (state.status === 'resolved') throw refused('resolved', command, state);
}

/** Everything but a case still waiting for its acknowledgement. */
function requireAcknowledged(command: string, state: OpenedCaseState): Exclude<OpenedCaseState, CaseIn<'opened'>> {
  refuseFinished(command, state);
  if (state.status === 'opened') throw refused('notAcknowledged', command, state);
  return state;
}

function requireText(command: string, field: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined && value.trim().length === 0) {
    throw new CaseRuleBroken('fieldRequired', `${command}: ${field} must not be blank`);
  }
}

function requireTexts(command: string, fields: Record<string, string | null | undefined>): void {
  for (const [field, value] of Object.entries(fields)) {
    requireText(command, field, value);
    if (value === undefined) throw new CaseRuleBroken('fieldRequired', `${command}: ${field} is required`);
  }
}

/** The `CaseWaitingEnded` a customer's message or decision causes, when the case waits on the customer. */
function customerReplied(
  state: OpenedCaseState,
  context: CommandContext,
  endedBy: WaitEnding,
  communicationId: string | null,
): CaseWaitingEnded[] {
  const { waiting } = state.case;
  if (waiting?.on !== 'customer') return [];
  return [
    {
      type: 'CaseWaitingEnded',
      data: { ...audit(state, context), on: 'customer', since: waiting.since, endedBy, note: null, communicationId },
    },
  ];
}

// ---- opening and acknowledgement ------------------------------------------------------------------------------------

function open(command: OpenCase, state: CaseState): CaseEvent[] {
  if (state.status !== 'none') throw new CaseAlreadyOpened(command.data.caseId);
  const { purchasedAt } = command.data;
  if (purchasedAt && Date.parse(purchasedAt) > command.context.now.getTime())
    throw new PurchaseInTheFuture(purchasedAt);
  return [
    {
      type: 'CaseOpened',
      data: {
        ...command.data,
        tenant: command.context.tenant,
        openedAt: command.context.now.toISOString(),
        openedBy: command.context.actor.id,
      },
    },
  ];
}

/**
 * The customer is told the case is accepted, with the expected cycle or the next step (seed 000 §2.1). An agent's
 * acknowledgement is the case's first response (seed 002 §1.1: the reply to an after-sales application within 1 hour);
 * an automatic one off hours says from when it will be handled, and is not.
 */
function acknowledge(command: AcknowledgeCase, state: OpenedCaseState): CaseEvent[] {
  refuseFinished(command.type, state);
  if (state.status !== 'opened') throw refused('alreadyAcknowledged', command.type, state);
  const { message, expectedCycle, nextStep, automatic, handledFrom } = command.data;
  requireTexts(command.type, { message });
  requireText(command.type, 'expectedCycle', expectedCycle);
  requireText(command.type, 'nextStep', nextStep);
  if (expectedCycle === null && nextStep === null) {
    throw new CaseRuleBroken('acknowledgementIncomplete', `${command.type}: neither an expected cycle nor a next step`);
  }
  if (automatic && (handledFrom === null || Date.parse(handledFrom) <= command.context.now.getTime())) {
    throw new CaseRuleBroken(
      'handledFromRequired',
      `${command.type}: an automatic acknowledgement needs handledFrom after ${command.context.now.toISOString()}`,
    );
  }
  const base = audit(state, command.context);
  const acknowledged: CaseEvent = {
    type: 'CaseAcknowledged',
    data: { ...base, message, expectedCycle, nextStep, automatic, handledFrom: automatic ? handledFrom : null },
  };
  if (automatic || state.case.firstResponse) return [acknowledged];
  return [
    acknowledged,
    { type: 'CaseFirstResponseGiven', data: { ...base, via: 'acknowledgement', communicationId: null } },
  ];
}

// ---- classification and assignment ----------------------------------------------------------------------------------

function classify(command: ClassifyCase, state: OpenedCaseState): CaseEvent[] {
  const current = requireAcknowledged(command.type, state);
  const { category, reason } = command.data;
  requireText(command.type, 'reason', reason);
  const previous = current.status === 'acknowledged' ? null : current.case.classification.category;
  if (previous === category) throw refused('sameCategory', command.type, state);
  if (previous !== null && reason === null) {
    throw new CaseRuleBroken('reclassificationReason', `${command.type}: ${previous} → ${category} without a reason`);
  }
  return [
    {
      type: 'CaseClassified',
      data: { ...audit(state, command.context), category, previousCategory: previous, reason },
    },
  ];
}

function assign(command: AssignCase, state: OpenedCaseState): CaseEvent[] {
  const current = requireAcknowledged(command.type, state);
  if (current.status === 'acknowledged') throw refused('notClassified', command.type, state);
  const { queue, team, agentId, reason } = command.data;
  requireTexts(command.type, { queue, team });
  requireText(command.type, 'agentId', agentId);
  requireText(command.type, 'reason', reason);
  const before = current.status === 'classified' ? null : current.case.assignment;
  const previous = before && { queue: before.queue, team: before.team, agentId: before.agentId };
  if (previous && previous.queue === queue && previous.team === team && previous.agentId === agentId) {
    throw refused('sameAssignment', command.type, state);
  }
  return [{ type: 'CaseAssigned', data: { ...audit(state, command.context), queue, team, agentId, previous, reason } }];
}

// ---- investigation --------------------------------------------------------------------------------------------------

function startInvestigation(command: StartInvestigation, state: OpenedCaseState): CaseEvent[] {
  const current = requireAcknowledged(command.type, state);
  if (current.status === 'acknowledged' || current.status === 'classified') {
    throw refused('notAssigned', command.type, state);
  }
  if (current.status !== 'assigned' && current.status !== 'reopened') {
    throw refused('investigationStarted', command.type, state);
  }
  return [{ type: 'CaseInvestigationStarted', data: audit(state, command.context) }];
}

function requireInvestigating(command: string, state: OpenedCaseState): CaseIn<'investigating'> {
  refuseFinished(command, state);
  if (state.status !== 'investigating') throw refused('notInvestigating', command, state);
  return state;
}

function recordFact(command: RecordFact, state: OpenedCaseState): CaseEvent[] {
  requireInvestigating(command.type, state);
  const { kind, summary, source, sourceRef } = command.data;
  requireTexts(command.type, { summary, source });
  requireText(command.type, 'sourceRef', sourceRef);
  return [{ type: 'CaseFactRecorded', data: { ...audit(state, command.context), kind, summary, source, sourceRef } }];
}

function determineResponsibility(command: DetermineResponsibility, state: OpenedCaseState): CaseEvent[] {
  const current = requireInvestigating(command.type, state);
  const { party, basis } = command.data;
  requireTexts(command.type, { basis });
  if (current.case.facts.length === 0) throw refused('factsRequired', command.type, state);
  const before = current.case.responsibility;
  if (before && before.party === party && before.basis === basis) {
    throw refused('sameResponsibility', command.type, state);
  }
  return [
    {
      type: 'CaseResponsibilityDetermined',
      data: {
        ...audit(state, command.context),
        party,
        basis,
        previous: before && { party: before.party, basis: before.basis },
      },
    },
  ];
}

function proposeSolutions(command: ProposeSolutions, state: OpenedCaseState): CaseEvent[] {
  const current = requireInvestigating(command.type, state);
  const { solutions } = command.data;
  if (!current.case.responsibility) throw refused('responsibilityUndetermined', command.type, state);
  if (solutions.length < 1 || solutions.length > 3) {
    throw new CaseRuleBroken('solutionCount', `${command.type}: ${solutions.length} solutions`);
  }
  solutions.forEach((s, i) =>
    requireTexts(command.type, {
      [`solutions[${i}].description`]: s.description,
      [`solutions[${i}].basis`]: s.basis,
      [`solutions[${i}].expectedTime`]: s.expectedTime,
      [`solutions[${i}].customerActions`]: s.customerActions,
    }),
  );
  return [
    {
      type: 'CaseSolutionsProposed',
      data: { ...audit(state, command.context), proposal: current.case.proposals + 1, solutions },
    },
  ];
}

// ---- the customer's decision ----------------------------------------------------------------------------------------

function requireProposal(command: string, state: OpenedCaseState): CaseIn<'solution_proposed'> {
  refuseFinished(command, state);
  if (state.status !== 'solution_proposed') throw refused('noProposal', command, state);
  return state;
}

/** The customer's acceptance: execution starts; if the case waited on the customer's choice, the wait ends. */
function acceptSolution(command: AcceptSolution, state: OpenedCaseState): CaseEvent[] {
  const current = requireProposal(command.type, state);
  const { option } = command.data;
  const { proposal, solutions } = current.case.proposal;
  const solution = Number.isInteger(option) ? solutions[option - 1] : undefined;
  if (!solution) {
    throw new CaseRuleBroken(
      'unknownOption',
      `${command.type}: proposal ${proposal} has options 1–${solutions.length}`,
    );
  }
  return [
    ...customerReplied(state, command.context, 'customer_decision', null),
    { type: 'CaseSolutionAccepted', data: { ...audit(state, command.context), proposal, option, solution } },
  ];
}

/** The customer's rejection: back to investigating, the reason recorded (seed 000 §3.3.2: negotiate within policy). */
function rejectSolutions(command: RejectSolutions, state: OpenedCaseState): CaseEvent[] {
  const current = requireProposal(command.type, state);
  const { reason } = command.data;
  requireTexts(command.type, { reason });
  return [
    ...customerReplied(state, command.context, 'customer_decision', null),
    {
      type: 'CaseSolutionsRejected',
      data: { ...audit(state, command.context), proposal: current.case.proposal.proposal, reason },
    },
  ];
}

// ---- execution ------------------------------------------------------------------------------------------------------

function requireExecution(command: string, state: OpenedCaseState): CaseIn<'in_execution'> {
  refuseFinished(command, state);
  if (state.status !== 'in_execution') throw refused('notInExecution', command, state);
  return state;
}

function requestCollaboration(command: RequestCollaboration, state: OpenedCaseState): CaseEvent[] {
  const current = requireExecution(command.type, state);
  const { collaborationId, party, requirement, deadline, owner } = command.data;
  requireTexts(command.type, { requirement, owner });
  if (current.case.collaborations.some((c) => c.collaborationId === collaborationId)) {
    throw new CaseRuleBroken('collaborationExists', `${command.type}: ${collaborationId} was requested before`);
  }
  if (!(Date.parse(deadline) > command.context.now.getTime())) {
    throw new CaseRuleBroken('deadlinePassed', `${command.type}: deadline ${deadline} is not after now`);
  }
  return [
    {
      type: 'CaseCollaborationRequested',
      data: { ...audit(state, command.context), collaborationId, party, requirement, deadline, owner },
    },
  ];
}

function completeCollaboration(command: CompleteCollaboration, state: OpenedCaseState): CaseEvent[] {
  const current = requireExecution(command.type, state);
  const { collaborationId, result } = command.data;
  const collaboration = current.case.collaborations.find((c) => c.collaborationId === collaborationId);
  if (!collaboration) {
    throw new CaseRuleBroken('collaborationNotFound', `${command.type}: no collaboration ${collaborationId}`);
  }
  if (collaboration.completion) {
    throw new CaseRuleBroken('collaborationCompleted', `${command.type}: ${collaborationId} was completed before`);
  }
  requireTexts(command.type, { result });
  const withinDeadline = command.context.now.getTime() <= Date.parse(collaboration.deadline);
  return [
    {
      type: 'CaseCollaborationCompleted',
      data: { ...audit(state, command.context), collaborationId, result, withinDeadline },
    },
  ];
}

// ---- resolution, closure, reopening ---------------------------------------------------------------------------------

/**
 * The customer is told the outcome, its basis and how to object (seed 000 §2.3); the reopen window of the tenant's
 * policy starts now and is written into the event.
 */
function resolve(command: ResolveCase, state: OpenedCaseState, policy: CasePolicy): CaseEvent[] {
  if (state.status === 'resolved') throw refused('alreadyResolved', command.type, state);
  const current = requireExecution(command.type, state);
  const open = current.case.collaborations.filter((c) => !c.completion).map((c) => c.collaborationId);
  if (open.length > 0) {
    throw new CaseRuleBroken('collaborationsOpen', `${command.type}: collaborations ${open.join(', ')} are not done`);
  }
  if (current.case.waiting) {
    throw new CaseRuleBroken('waiting', `${command.type}: the case waits on the ${current.case.waiting.on}`);
  }
  const { outcome, basis, objectionRoute } = command.data;
  requireTexts(command.type, { outcome, basis, objectionRoute });
  const reopenableUntil = new Date(command.context.now.getTime() + policy.reopenWindowDays * 24 * 3_600_000);
  return [
    {
      type: 'CaseResolved',
      data: {
        ...audit(state, command.context),
        solutionKind: current.case.acceptedSolution.solution.kind,
        outcome,
        basis,
        objectionRoute,
        reopenableUntil: reopenableUntil.toISOString(),
      },
    },
  ];
}

function close(command: CloseCase, state: OpenedCaseState): CaseEvent[] {
  if (state.status === 'closed') throw refused('closed', command.type, state);
  if (state.status !== 'resolved') throw refused('notResolved', command.type, state);
  const { note } = command.data;
  requireText(command.type, 'note', note);
  return [
    {
      type: 'CaseClosed',
      data: { ...audit(state, command.context), reopenableUntil: state.case.resolution.reopenableUntil, note },
    },
  ];
}

/** The customer objects to the outcome within the window fixed at resolution: back to work. */
function reopen(command: ReopenCase, state: OpenedCaseState): CaseEvent[] {
  if (state.status !== 'resolved' && state.status !== 'closed') throw refused('notResolved', command.type, state);
  const { objection } = command.data;
  requireTexts(command.type, { objection });
  const until = state.case.resolution.reopenableUntil;
  if (command.context.now.getTime() > Date.parse(until)) {
    throw new CaseRuleBroken('reopenWindowPassed', `${command.type}: the reopen window ended at ${until}`);
  }
  return [
    {
      type: 'CaseReopened',
      data: {
        ...audit(state, command.context),
        objection,
        from: state.status,
        reopening: state.case.reopenings.length + 1,
      },
    },
  ];
}

// ---- waiting --------------------------------------------------------------------------------------------------------

function startWaiting(command: StartWaiting, state: OpenedCaseState): CaseEvent[] {
  const current = requireAcknowledged(command.type, state);
  const { on, reason } = command.data;
  requireTexts(command.type, { reason });
  if (current.case.waiting) {
    throw new CaseRuleBroken('alreadyWaiting', `${command.type}: the case waits on the ${current.case.waiting.on}`);
  }
  return [{ type: 'CaseWaitingStarted', data: { ...audit(state, command.context), on, reason } }];
}

function endWaiting(command: EndWaiting, state: OpenedCaseState): CaseEvent[] {
  refuseFinished(command.type, state);
  const { waiting } = state.case;
  if (!waiting) throw refused('notWaiting', command.type, state);
  const { note } = command.data;
  requireText(command.type, 'note', note);
  return [
    {
      type: 'CaseWaitingEnded',
      data: {
        ...audit(state, command.context),
        on: waiting.on,
        since: waiting.since,
        endedBy: 'reply',
        note,
        communicationId: null,
      },
    },
  ];
}

// ---- escalation -----------------------------------------------------------------------------------------------------

/**
 * Takes the case up its ladder. The complaint team and senior management are reached by a supervisor or above, or by
 * the platform's rules (`system`: a breached clock, a complaint). An automatic escalation to a rung the case is already
 * at or above changes nothing (it says "at least there"); a person asking for it is told so (409).
 */
function escalate(command: EscalateCase, state: OpenedCaseState): CaseEvent[] {
  if (state.status === 'closed') throw refused('closed', command.type, state);
  const { rung, reason, note } = command.data;
  requireText(command.type, 'note', note);
  const roles = command.context.actor.roles;
  if (rung !== 'supervisor' && !roles.some((r) => (seniorEscalationRoles as readonly string[]).includes(r))) {
    throw new CaseRuleBroken(
      'escalationForbidden',
      `${command.type}: escalating to ${rung} needs one of the roles ${seniorEscalationRoles.join(', ')}`,
    );
  }
  const previousRung = state.case.escalation?.rung ?? null;
  if (!isHigherRung(rung, previousRung)) {
    if (reason !== 'manual') return [];
    throw new CaseRuleBroken('alreadyEscalated', `${command.type}: the case is at ${previousRung ?? 'no rung'}`);
  }
  return [{ type: 'CaseEscalated', data: { ...audit(state, command.context), rung, previousRung, reason, note } }];
}

/**
 * A rung's deadline after a clock's breach passed and the clock is still not met: the case goes up to the rung by the
 * platform's rules (reason `sla_breach`), the same escalation as {@link EscalateCase} (nothing when the case is at or
 * above the rung already).
 */
function escalateBreach(command: EscalateSlaBreach, state: OpenedCaseState, sla: SlaPolicy | null): CaseEvent[] {
  const overdue = overdueClock(state, command.data, sla);
  const { clockId, instance, rung } = command.data;
  return escalate(
    {
      type: 'EscalateCase',
      context: command.context,
      data: {
        rung,
        reason: 'sla_breach',
        note: `SLA clock ${clockId} #${instance} overdue since ${overdue.clock.breachedAt ?? overdue.dueAt ?? 'its due time'}`,
      },
    },
    state,
  );
}

// ---- identity verification and sensitive operations -----------------------------------------------------------------

function verifyIdentity(command: VerifyCustomerIdentity, state: OpenedCaseState, policy: CasePolicy): CaseEvent[] {
  if (state.status === 'closed') throw refused('closed', command.type, state);
  const { method, reference } = command.data;
  requireText(command.type, 'reference', reference);
  const validUntil = new Date(command.context.now.getTime() + policy.identityVerificationMinutes * 60_000);
  return [
    {
      type: 'CustomerIdentityVerified',
      data: { ...audit(state, command.context), method, reference, validUntil: validUntil.toISOString() },
    },
  ];
}

/**
 * Sensitive order data is shown or changed only while the customer's identity is verified (seed 000 §2.2). The
 * application calls this before it opens a case's sealed contact data too.
 *
 * @throws CaseRuleBroken `CASE.IDENTITY_NOT_VERIFIED` (409) without a verification valid at `now`.
 */
export function requireVerifiedIdentity(state: OpenedCaseState, what: string, now: Date): void {
  const { verification } = state.case;
  if (!verification) {
    throw new CaseRuleBroken('identityNotVerified', `${what}: the customer's identity was not verified on this case`);
  }
  if (now.getTime() > Date.parse(verification.validUntil)) {
    throw new CaseRuleBroken(
      'identityNotVerified',
      `${what}: the customer's identity verification expired at ${verification.validUntil}`,
    );
  }
}

function requestOrderChange(command: RequestOrderChange, state: OpenedCaseState): CaseEvent[] {
  refuseFinished(command.type, state);
  requireVerifiedIdentity(state, command.type, command.context.now);
  const { changeId, kind, details, note } = command.data;
  requireText(command.type, 'note', note);
  if (state.case.orderChanges.some((c) => c.changeId === changeId)) {
    throw new CaseRuleBroken('orderChangeExists', `${command.type}: ${changeId} was requested before`);
  }
  return [
    {
      type: 'CaseOrderChangeRequested',
      data: { ...audit(state, command.context), changeId, orderId: state.case.opened.orderId, kind, details, note },
    },
  ];
}

// ---- conversation ---------------------------------------------------------------------------------------------------

/**
 * Records a communication, in every stage (a message after closure is recorded too). The first outbound message an
 * agent writes is the case's first response (automatic messages are not); an inbound message while the case waits on
 * the customer is their reply and ends the wait. A communication recorded again (same id) changes nothing.
 */
function recordCommunication(command: RecordCommunication, state: OpenedCaseState): CaseEvent[] {
  const data = command.data;
  if (state.case.conversation.communicationIds.has(data.communicationId)) return [];
  requireTexts(command.type, { summary: data.summary });
  requireText(command.type, 'author.ref', data.author.ref);
  const base = audit(state, command.context);
  const events: CaseEvent[] = [{ type: 'CaseCommunicationRecorded', data: { ...base, ...data } }];
  if (data.direction === 'outbound' && data.author.kind === 'agent' && !state.case.firstResponse) {
    events.push({
      type: 'CaseFirstResponseGiven',
      data: { ...base, via: 'communication', communicationId: data.communicationId },
    });
  }
  if (data.direction === 'inbound') {
    events.push(...customerReplied(state, command.context, 'customer_message', data.communicationId));
  }
  return events;
}
