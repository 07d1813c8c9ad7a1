import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  CaseChannels,
  CasePriorities,
  CollaborationParties,
  DesiredResolutions,
  EscalationReasons,
  EscalationRungs,
  EvidenceKinds,
  Money,
  ProblemTypes,
  ResponsibleParties,
  SolutionKinds,
  StringEnum,
} from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import type { OpenedContact } from '../../application/cases.service';
import type { TenantCasePolicy } from '../../application/case-policies.service';
import { defaultCasePolicy } from '../../domain/case-policy';
import type { OpenedCaseState } from '../../domain/case.state';
import {
  caseStatuses,
  communicationDirections,
  factKinds,
  orderChangeKinds,
  verificationMethods,
  waitingParties,
} from '../../domain/case.values';

/**
 * What intake's case API answers (TypeBox): the controllers return these types, `@Responds` documents them in
 * `GET /docs/openapi.json`. A view never holds the customer's contact data: only `GET /cases/:caseId/contact-details`
 * opens it, for a verified customer, audited.
 */

const at = DateTime({ description: 'When it happened' });
const by = Type.String({ description: 'Subject of the token that did it' });
const Stamped = <P extends Record<string, TSchema>>(properties: P) => Type.Object({ ...properties, at, by });

const SolutionView = Type.Object({
  kind: StringEnum(SolutionKinds),
  description: Type.String(),
  basis: Type.String(),
  expectedTime: Type.String(),
  customerActions: Type.String({ description: 'What the customer must do' }),
  amount: Nullable(Money),
});

/** `POST /cases`, `GET /cases/:caseId` and every `POST /cases/:caseId/…` command: where the case stands. */
export const CaseView = Type.Object(
  {
    caseId: Type.String({ format: 'uuid' }),
    channel: StringEnum(CaseChannels),
    orderId: Type.String(),
    customerId: Type.String(),
    problemType: StringEnum(ProblemTypes, { description: 'As reported when the case was opened' }),
    description: Type.String(),
    desiredResolution: Type.Optional(StringEnum(DesiredResolutions)),
    evidence: ReadonlyList(Type.Object({ kind: StringEnum(EvidenceKinds), uri: Type.String({ format: 'uri' }) })),
    purchasedAt: Type.Optional(DateTime()),
    priority: Type.Optional(StringEnum(CasePriorities, { description: 'Absent: normal' })),
    openedAt: DateTime(),
    openedBy: Type.String({ description: 'Subject of the token that opened it' }),
    status: StringEnum(caseStatuses, {
      description:
        'opened → acknowledged → classified → assigned → investigating → solution_proposed → in_execution → resolved → closed; reopened on an objection',
    }),
    category: Nullable(StringEnum(ProblemTypes), { description: 'The current classification; `null` before it' }),
    acknowledgement: Nullable(
      Stamped({
        message: Type.String(),
        expectedCycle: Nullable(Type.String()),
        nextStep: Nullable(Type.String()),
        automatic: Type.Boolean(),
        handledFrom: Nullable(DateTime()),
      }),
    ),
    classification: Nullable(
      Stamped({
        category: StringEnum(ProblemTypes),
        previous: ReadonlyList(StringEnum(ProblemTypes), { description: 'Earlier categories, oldest first' }),
      }),
    ),
    assignment: Nullable(
      Stamped({
        queue: Type.String(),
        team: Type.String(),
        agentId: Nullable(Type.String()),
        reassignments: Type.Integer({ minimum: 0 }),
      }),
    ),
    firstResponse: Nullable(
      Stamped({
        via: StringEnum(['acknowledgement', 'communication'] as const),
        communicationId: Nullable(Type.String()),
      }),
      { description: "The case's first response to the customer; `null` until then" },
    ),
    conversation: Type.Object({
      inbound: Type.Integer({ minimum: 0 }),
      outbound: Type.Integer({ minimum: 0 }),
      lastInboundAt: Nullable(DateTime()),
      lastOutboundAt: Nullable(DateTime()),
      sealedContacts: Type.Integer({ minimum: 0, description: 'Contact data recorded, sealed (never shown here)' }),
    }),
    waiting: Nullable(Type.Object({ on: StringEnum(waitingParties), since: DateTime(), reason: Type.String() }), {
      description: 'Waiting on the customer or a third party (the stage is kept, clocks pause); `null` otherwise',
    }),
    verification: Nullable(
      Stamped({ method: StringEnum(verificationMethods), reference: Nullable(Type.String()), validUntil: DateTime() }),
      { description: "The latest verification of the customer's identity" },
    ),
    escalation: Nullable(
      Stamped({
        rung: StringEnum(EscalationRungs),
        reason: StringEnum(EscalationReasons),
        note: Nullable(Type.String()),
      }),
      { description: 'The rung of the escalation ladder the case is at; `null` if never escalated' },
    ),
    facts: ReadonlyList(
      Stamped({
        kind: StringEnum(factKinds),
        summary: Type.String(),
        source: Type.String(),
        sourceRef: Nullable(Type.String()),
      }),
    ),
    responsibility: Nullable(Stamped({ party: StringEnum(ResponsibleParties), basis: Type.String() })),
    proposal: Nullable(Stamped({ proposal: Type.Integer({ minimum: 1 }), solutions: ReadonlyList(SolutionView) }), {
      description: 'The proposal on the table or last accepted; `null` after a rejection or a reopening',
    }),
    rejections: ReadonlyList(Stamped({ proposal: Type.Integer({ minimum: 1 }), reason: Type.String() })),
    acceptedSolution: Nullable(
      Stamped({ proposal: Type.Integer({ minimum: 1 }), option: Type.Integer({ minimum: 1 }), solution: SolutionView }),
    ),
    collaborations: ReadonlyList(
      Stamped({
        collaborationId: Type.String(),
        party: StringEnum(CollaborationParties),
        requirement: Type.String(),
        deadline: DateTime(),
        owner: Type.String(),
        completion: Nullable(Stamped({ result: Type.String(), withinDeadline: Type.Boolean() })),
      }),
    ),
    resolution: Nullable(
      Stamped({
        solutionKind: StringEnum(SolutionKinds),
        outcome: Type.String(),
        basis: Type.String(),
        objectionRoute: Type.String(),
        reopenableUntil: DateTime(),
      }),
    ),
    closure: Nullable(Stamped({ note: Nullable(Type.String()) })),
    reopenings: ReadonlyList(Stamped({ objection: Type.String(), from: StringEnum(['resolved', 'closed'] as const) })),
    orderChanges: ReadonlyList(
      Stamped({ changeId: Type.String(), kind: StringEnum(orderChangeKinds), note: Nullable(Type.String()) }),
      { description: 'Order changes requested (the new details are sealed: see contact-details)' },
    ),
  },
  { title: 'CaseView' },
);
export type CaseView = Static<typeof CaseView>;

/** The case as the API shows it: never a ciphertext, never the tenant. */
export function caseView(state: OpenedCaseState): CaseView {
  const c = state.case;
  const { tenant: _tenant, ...opened } = c.opened;
  const { communicationIds: _ids, contacts, ...conversation } = c.conversation;
  return {
    ...opened,
    status: state.status,
    category: c.classification?.category ?? null,
    acknowledgement: c.acknowledgement,
    classification: c.classification,
    assignment: c.assignment,
    firstResponse: c.firstResponse,
    conversation: { ...conversation, sealedContacts: contacts.length },
    waiting: c.waiting,
    verification: c.verification,
    escalation: c.escalation,
    facts: c.facts,
    responsibility: c.responsibility,
    proposal: c.proposal,
    rejections: c.rejections,
    acceptedSolution: c.acceptedSolution,
    collaborations: c.collaborations,
    resolution: c.resolution,
    closure: c.closure,
    reopenings: c.reopenings,
    orderChanges: c.orderChanges.map(({ details: _sealed, ...change }) => change),
  };
}

/** `GET /cases/:caseId/contact-details`: the customer's contact data the case holds, opened (and logged). */
export const ContactDetailsView = Type.Object(
  {
    caseId: Type.String({ format: 'uuid' }),
    customerId: Type.String(),
    erased: Type.Boolean({ description: "True once the customer's data was erased: nothing can be opened" }),
    contacts: ReadonlyList(
      Type.Object({
        source: StringEnum(['communication', 'order_change'] as const),
        id: Type.String({ description: 'The communication or order change it was recorded with' }),
        at: DateTime(),
        channel: Nullable(StringEnum(CaseChannels)),
        direction: Nullable(StringEnum(communicationDirections)),
        orderChange: Nullable(StringEnum(orderChangeKinds)),
        name: Type.Optional(Type.String()),
        phone: Type.Optional(Type.String()),
        email: Type.Optional(Type.String()),
        address: Type.Optional(Type.String()),
      }),
    ),
  },
  { title: 'ContactDetailsView' },
);
export type ContactDetailsView = Static<typeof ContactDetailsView>;

export function contactDetailsView(
  state: OpenedCaseState,
  erased: boolean,
  contacts: readonly OpenedContact[],
): ContactDetailsView {
  return {
    caseId: state.case.caseId,
    customerId: state.case.opened.customerId,
    erased,
    contacts: contacts.map(({ data, ...contact }) => ({ ...contact, ...data })),
  };
}

const PolicyValues = Type.Object({
  reopenWindowDays: Type.Integer({
    description: "Days after resolution during which the customer's objection reopens a case",
  }),
  identityVerificationMinutes: Type.Integer({
    description: "Minutes a verification of the customer's identity holds for sensitive order data",
  }),
});

/** `GET /case-policies`, `PUT /case-policies`: the tenant's case policy, the defaults, who changed it when. */
export const CasePoliciesView = Type.Object(
  {
    policy: PolicyValues,
    defaults: PolicyValues,
    updatedAt: Nullable(DateTime(), { description: '`null` while the tenant runs on the defaults' }),
    updatedBy: Nullable(Type.String()),
  },
  { title: 'CasePoliciesView' },
);
export type CasePoliciesView = Static<typeof CasePoliciesView>;

export function casePoliciesView(settings: TenantCasePolicy): CasePoliciesView {
  return { ...settings, defaults: defaultCasePolicy };
}
