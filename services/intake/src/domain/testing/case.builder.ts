import type { CommandContext } from '@aftersales/domain';
import { historyOf } from '@aftersales/testing/decider';
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
} from '../case.commands';
import { caseDecider } from '../case.decider';
import type { CaseEvent, Solution } from '../case.events';
import type { CaseStatus } from '../case.values';

/** The story's clock: the case is opened at T0; `minutes(n)` is n minutes later. */
export const T0 = new Date('2026-11-25T10:00:00.000Z');
export const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
export const iso = (n: number) => minutes(n).toISOString();

export const CASE_ID = '8d2f7a1e-2b9c-4c3d-9e8f-1a2b3c4d5e6f';
export const TENANT = 'shop-1';

/** Actors of the stories. */
export const actors = {
  agent: { id: 'agent-7', roles: ['agent'] },
  supervisor: { id: 'supervisor-2', roles: ['supervisor'] },
  chatIntegration: { id: 'chat-connector', roles: ['integrator'] },
  slaClock: { id: 'system:intake.sla-clocks', roles: ['system'] },
} as const;

type Actor = (typeof actors)[keyof typeof actors];

/** The context of a command: at minute `at` after T0, by `actor`, in `tenant`. */
export function contextOf(at = 0, actor: Actor = actors.agent, tenant = TENANT): CommandContext {
  return { tenant, actor: { id: actor.id, roles: [...actor.roles] }, now: minutes(at) };
}

type Options = { readonly at?: number; readonly actor?: Actor; readonly tenant?: string };

function build<C extends CaseCommand>(type: C['type'], data: C['data'], options: Options = {}): C {
  return { type, data, context: contextOf(options.at, options.actor, options.tenant) } as C;
}

/** A solution option with defaults. */
export const aSolution = (overrides: Partial<Solution> = {}): Solution => ({
  kind: 'reship',
  description: 'Reship the kettle with another carrier',
  basis: 'Transit damage confirmed by the carrier',
  expectedTime: '2 days',
  customerActions: 'None: keep the damaged kettle for the carrier’s pickup',
  amount: null,
  ...overrides,
});

/** Builders of every case command, with the story's defaults; each takes overrides and the command's options. */
export const a = {
  openCase: (data: Partial<OpenCase['data']> = {}, options?: Options) =>
    build<OpenCase>(
      'OpenCase',
      {
        caseId: CASE_ID,
        channel: 'chat',
        orderId: 'ORD-1',
        customerId: 'cus-1',
        problemType: 'quality',
        description: 'Battery swells after two days',
        evidence: [],
        ...data,
      },
      options,
    ),
  acknowledgement: (data: Partial<AcknowledgeCase['data']> = {}, options: Options = { at: 1 }) =>
    build<AcknowledgeCase>(
      'AcknowledgeCase',
      {
        message: 'Your after-sales request is accepted',
        expectedCycle: '3–5 working days',
        nextStep: 'We check the photos with the carrier',
        automatic: false,
        handledFrom: null,
        ...data,
      },
      options,
    ),
  classification: (data: Partial<ClassifyCase['data']> = {}, options: Options = { at: 2 }) =>
    build<ClassifyCase>('ClassifyCase', { category: 'logistics', reason: null, ...data }, options),
  assignment: (data: Partial<AssignCase['data']> = {}, options: Options = { at: 3, actor: actors.supervisor }) =>
    build<AssignCase>(
      'AssignCase',
      { queue: 'logistics-claims', team: 'after-sales-east', agentId: 'agent-7', reason: null, ...data },
      options,
    ),
  investigation: (options: Options = { at: 4 }) => build<StartInvestigation>('StartInvestigation', {}, options),
  fact: (data: Partial<RecordFact['data']> = {}, options: Options = { at: 5 }) =>
    build<RecordFact>(
      'RecordFact',
      {
        kind: 'logistics',
        summary: 'Carrier scan shows the parcel crushed at the Hangzhou hub',
        source: 'carrier tracking',
        sourceRef: 'SF1234567890',
        ...data,
      },
      options,
    ),
  responsibility: (data: Partial<DetermineResponsibility['data']> = {}, options: Options = { at: 6 }) =>
    build<DetermineResponsibility>(
      'DetermineResponsibility',
      { party: 'carrier', basis: 'Damage recorded in transit by the carrier', ...data },
      options,
    ),
  proposal: (solutions: readonly Solution[] = [aSolution()], options: Options = { at: 7 }) =>
    build<ProposeSolutions>('ProposeSolutions', { solutions }, options),
  acceptance: (option = 1, options: Options = { at: 8 }) =>
    build<AcceptSolution>('AcceptSolution', { option }, options),
  rejection: (reason = 'I want a refund, not a new kettle', options: Options = { at: 8 }) =>
    build<RejectSolutions>('RejectSolutions', { reason }, options),
  collaboration: (data: Partial<RequestCollaboration['data']> = {}, options: Options = { at: 9 }) =>
    build<RequestCollaboration>(
      'RequestCollaboration',
      {
        collaborationId: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
        party: 'warehouse',
        requirement: 'Ship a replacement kettle with SF Express',
        deadline: iso(24 * 60),
        owner: 'warehouse-shanghai',
        ...data,
      },
      options,
    ),
  collaborationDone: (data: Partial<CompleteCollaboration['data']> = {}, options: Options = { at: 60 }) =>
    build<CompleteCollaboration>(
      'CompleteCollaboration',
      { collaborationId: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a', result: 'Shipped, SF9876543210', ...data },
      options,
    ),
  resolution: (data: Partial<ResolveCase['data']> = {}, options: Options = { at: 120 }) =>
    build<ResolveCase>(
      'ResolveCase',
      {
        outcome: 'Replacement kettle delivered',
        basis: 'Transit damage; the carrier pays under the shipping contract',
        objectionRoute: 'Reply in this chat within 7 days',
        ...data,
      },
      options,
    ),
  closure: (note: string | null = null, options: Options = { at: 180 }) =>
    build<CloseCase>('CloseCase', { note }, options),
  reopening: (objection = 'The replacement leaks too', options: Options = { at: 240 }) =>
    build<ReopenCase>('ReopenCase', { objection }, options),
  waitingStart: (data: Partial<StartWaiting['data']> = {}, options: Options = { at: 10 }) =>
    build<StartWaiting>('StartWaiting', { on: 'customer', reason: 'Asked for photos of the damage', ...data }, options),
  waitingEnd: (note: string | null = 'Photos arrived by e-mail', options: Options = { at: 30 }) =>
    build<EndWaiting>('EndWaiting', { note }, options),
  escalation: (data: Partial<EscalateCase['data']> = {}, options: Options = { at: 11 }) =>
    build<EscalateCase>('EscalateCase', { rung: 'supervisor', reason: 'manual', note: null, ...data }, options),
  verification: (data: Partial<VerifyCustomerIdentity['data']> = {}, options: Options = { at: 12 }) =>
    build<VerifyCustomerIdentity>(
      'VerifyCustomerIdentity',
      { method: 'sms_code', reference: 'sms-77', ...data },
      options,
    ),
  orderChange: (data: Partial<RequestOrderChange['data']> = {}, options: Options = { at: 13 }) =>
    build<RequestOrderChange>(
      'RequestOrderChange',
      {
        changeId: '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c',
        kind: 'shipping_address',
        details: { ciphertext: 'c2VhbGVkIGFkZHJlc3M=', keyVersion: 1 },
        note: null,
        ...data,
      },
      options,
    ),
  communication: (data: Partial<RecordCommunication['data']> = {}, options: Options = { at: 14 }) =>
    build<RecordCommunication>(
      'RecordCommunication',
      {
        communicationId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
        channel: 'chat',
        direction: 'outbound',
        author: { kind: 'agent', ref: 'agent-7' },
        summary: 'Asked the customer for photos of the damaged kettle',
        attachmentRefs: [],
        contact: null,
        ...data,
      },
      options,
    ),
};

/** The commands that take a case to each status along the main path (the reopened case was resolved, then closed). */
const path: Record<CaseStatus, () => CaseCommand[]> = {
  opened: () => [a.openCase()],
  acknowledged: () => [...path.opened(), a.acknowledgement()],
  classified: () => [...path.acknowledged(), a.classification()],
  assigned: () => [...path.classified(), a.assignment()],
  investigating: () => [...path.assigned(), a.investigation()],
  solution_proposed: () => [...path.investigating(), a.fact(), a.responsibility(), a.proposal()],
  in_execution: () => [...path.solution_proposed(), a.acceptance()],
  resolved: () => [...path.in_execution(), a.resolution()],
  closed: () => [...path.resolved(), a.closure()],
  reopened: () => [...path.closed(), a.reopening()],
};

/** The history of a case at `status`, then the `more` commands, as a handler would have stored it. */
export function caseAt(status: CaseStatus, ...more: CaseCommand[]): CaseEvent[] {
  return historyOf(caseDecider, [...path[status](), ...more]);
}
