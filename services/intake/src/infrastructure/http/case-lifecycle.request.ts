import { Type, type Static } from '@sinclair/typebox';
import {
  CaseChannels,
  CollaborationParties,
  EscalationRungs,
  ProblemTypes,
  ResponsibleParties,
  SolutionKinds,
  StringEnum,
} from '@aftersales/contracts';
import { casePolicyBounds } from '../../domain/case-policy';
import {
  authorKinds,
  communicationDirections,
  factKinds,
  verificationMethods,
  waitingParties,
} from '../../domain/case.values';

/**
 * Bodies of the case lifecycle routes (`POST /cases/:caseId/…`), validated by `SchemaPipe` (400 with field errors) and
 * documented in the OpenAPI. Texts are non-blank; the rules behind them (order of steps, deadlines ahead…) are the
 * decider's (409/422 problems naming the rule).
 */

const strict = { additionalProperties: false } as const;
/** Free text that is not blank. */
const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '\\S', ...(description ? { description } : {}) });
/** A reference (queue, team, staff, owner): printable, no spaces at the ends. */
const Ref = (description: string) =>
  Type.String({ minLength: 1, maxLength: 128, pattern: '^\\S(.*\\S)?$', description });
const Phone = Type.String({ minLength: 3, maxLength: 40, pattern: '^[0-9+()./ -]+$' });
const ClientId = (what: string) =>
  Type.Optional(Type.String({ format: 'uuid', description: `Client-chosen id of the ${what}; generated when absent` }));

/** `POST /cases/:caseId/acknowledgement` */
export const AcknowledgeCaseRequest = Type.Object(
  {
    message: Text(2000, 'What the customer was told'),
    expectedCycle: Type.Optional(Text(200, 'The processing cycle told, e.g. "3–5 working days"')),
    nextStep: Type.Optional(Text(500, 'The next step told')),
    automatic: Type.Optional(
      Type.Boolean({ description: 'An automatic off-hours acknowledgement (no first response); default false' }),
    ),
    handledFrom: Type.Optional(
      Type.String({ format: 'date-time', description: 'Automatic acknowledgements: when the case will be handled' }),
    ),
  },
  strict,
);
export type AcknowledgeCaseRequest = Static<typeof AcknowledgeCaseRequest>;

/** `POST /cases/:caseId/classification` */
export const ClassifyCaseRequest = Type.Object(
  {
    category: StringEnum(ProblemTypes),
    reason: Type.Optional(Text(500, 'Why; required to reclassify')),
  },
  strict,
);
export type ClassifyCaseRequest = Static<typeof ClassifyCaseRequest>;

/** `POST /cases/:caseId/assignment` */
export const AssignCaseRequest = Type.Object(
  {
    queue: Ref('The work queue'),
    team: Ref('The responsible team'),
    agentId: Type.Optional(Ref('The agent handling it')),
    reason: Type.Optional(Text(500, 'Why (a reassignment)')),
  },
  strict,
);
export type AssignCaseRequest = Static<typeof AssignCaseRequest>;

/** `POST /cases/:caseId/facts` */
export const RecordFactRequest = Type.Object(
  {
    kind: StringEnum(factKinds),
    summary: Text(2000, 'The fact, stated objectively'),
    source: Text(200, 'Where it comes from (order system, carrier tracking, product data, customer history…)'),
    sourceRef: Type.Optional(Text(200, 'A reference in the source (tracking number, order line…)')),
  },
  strict,
);
export type RecordFactRequest = Static<typeof RecordFactRequest>;

/** `POST /cases/:caseId/responsibility` */
export const DetermineResponsibilityRequest = Type.Object(
  { party: StringEnum(ResponsibleParties), basis: Text(2000, 'On what facts and rules') },
  strict,
);
export type DetermineResponsibilityRequest = Static<typeof DetermineResponsibilityRequest>;

const SolutionRequest = Type.Object(
  {
    kind: StringEnum(SolutionKinds),
    description: Text(2000),
    basis: Text(2000, 'The policy or facts it rests on'),
    expectedTime: Text(200, 'How long it takes, as told to the customer'),
    customerActions: Text(1000, 'What the customer must do'),
    amount: Type.Optional(
      Type.Object(
        {
          amountMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Integer minor units' }),
          currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
        },
        strict,
      ),
    ),
  },
  strict,
);

/** `POST /cases/:caseId/solutions` */
export const ProposeSolutionsRequest = Type.Object(
  { solutions: Type.Array(SolutionRequest, { minItems: 1, maxItems: 3 }) },
  strict,
);
export type ProposeSolutionsRequest = Static<typeof ProposeSolutionsRequest>;

/** `POST /cases/:caseId/solutions/acceptance` */
export const AcceptSolutionRequest = Type.Object(
  { option: Type.Integer({ minimum: 1, maximum: 3, description: 'Which option of the proposal (1-based)' }) },
  strict,
);
export type AcceptSolutionRequest = Static<typeof AcceptSolutionRequest>;

/** `POST /cases/:caseId/solutions/rejection` */
export const RejectSolutionsRequest = Type.Object({ reason: Text(2000, "The customer's reason") }, strict);
export type RejectSolutionsRequest = Static<typeof RejectSolutionsRequest>;

/** `POST /cases/:caseId/collaborations` */
export const RequestCollaborationRequest = Type.Object(
  {
    collaborationId: ClientId('collaboration'),
    party: StringEnum(CollaborationParties),
    requirement: Text(2000, 'What they are asked to do'),
    deadline: Type.String({ format: 'date-time', description: 'By when (ahead)' }),
    owner: Ref('Who answers for it on their side'),
  },
  strict,
);
export type RequestCollaborationRequest = Static<typeof RequestCollaborationRequest>;

/** `POST /cases/:caseId/collaborations/:collaborationId/completion` */
export const CompleteCollaborationRequest = Type.Object({ result: Text(2000, 'What was done') }, strict);
export type CompleteCollaborationRequest = Static<typeof CompleteCollaborationRequest>;

/** `POST /cases/:caseId/resolution` */
export const ResolveCaseRequest = Type.Object(
  {
    outcome: Text(2000, 'The outcome, as told to the customer'),
    basis: Text(2000, 'Its basis, as told to the customer'),
    objectionRoute: Text(1000, 'How the customer may object'),
  },
  strict,
);
export type ResolveCaseRequest = Static<typeof ResolveCaseRequest>;

/** `POST /cases/:caseId/closure`, `POST /cases/:caseId/waiting/end` */
export const NoteRequest = Type.Object({ note: Type.Optional(Text(1000)) }, strict);
export type NoteRequest = Static<typeof NoteRequest>;

/** `POST /cases/:caseId/reopening` */
export const ReopenCaseRequest = Type.Object({ objection: Text(2000, "The customer's objection") }, strict);
export type ReopenCaseRequest = Static<typeof ReopenCaseRequest>;

/** `POST /cases/:caseId/waiting` */
export const StartWaitingRequest = Type.Object(
  { on: StringEnum(waitingParties), reason: Text(1000, 'What is awaited') },
  strict,
);
export type StartWaitingRequest = Static<typeof StartWaitingRequest>;

/** `POST /cases/:caseId/escalation` */
export const EscalateCaseRequest = Type.Object(
  {
    rung: StringEnum(EscalationRungs, {
      description: 'supervisor (any case worker); complaint_team or senior_management (a supervisor or above)',
    }),
    note: Type.Optional(Text(1000, 'Why')),
  },
  strict,
);
export type EscalateCaseRequest = Static<typeof EscalateCaseRequest>;

/** `POST /cases/:caseId/identity-verification` */
export const VerifyCustomerIdentityRequest = Type.Object(
  {
    method: StringEnum(verificationMethods),
    reference: Type.Optional(Ref("The verification's own reference (e.g. the SMS challenge id), never the code")),
  },
  strict,
);
export type VerifyCustomerIdentityRequest = Static<typeof VerifyCustomerIdentityRequest>;

/**
 * `POST /cases/:caseId/order-changes`: a new shipping address (with the recipient's name and phone, when they change
 * too) or a new contact phone. Sealed by the privacy vault before anything is stored; needs a verified identity.
 */
export const RequestOrderChangeRequest = Type.Union(
  [
    Type.Object(
      {
        changeId: ClientId('order change'),
        kind: Type.Literal('shipping_address'),
        address: Text(500, 'The new shipping address'),
        name: Type.Optional(Text(200, "The recipient's name, when it changes")),
        phone: Type.Optional(Phone),
        note: Type.Optional(Text(1000)),
      },
      strict,
    ),
    Type.Object(
      {
        changeId: ClientId('order change'),
        kind: Type.Literal('contact_phone'),
        phone: Phone,
        note: Type.Optional(Text(1000)),
      },
      strict,
    ),
  ],
  { title: 'RequestOrderChangeRequest' },
);
export type RequestOrderChangeRequest = Static<typeof RequestOrderChangeRequest>;

/**
 * `POST /cases/:caseId/communications`: one message or call, recorded objectively. `contact` (the phone or e-mail
 * used) is sealed by the privacy vault; it never appears in a view or an event in plaintext.
 */
export const RecordCommunicationRequest = Type.Object(
  {
    communicationId: ClientId('communication (a retry with the same id records nothing new)'),
    channel: StringEnum(CaseChannels),
    direction: StringEnum(communicationDirections),
    author: Type.Object(
      {
        kind: StringEnum(authorKinds, { description: '`system`: an automatic message, no first response' }),
        ref: Type.Optional(Ref('Who (a staff reference, a bot name); never personal data')),
      },
      strict,
    ),
    summary: Text(4000, 'What was said, objectively (no personal judgement)'),
    attachmentRefs: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), { maxItems: 20 })),
    contact: Type.Optional(
      Type.Object(
        { phone: Type.Optional(Phone), email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })) },
        strict,
      ),
    ),
  },
  strict,
);
export type RecordCommunicationRequest = Static<typeof RecordCommunicationRequest>;

/** Query of `GET /cases/:caseId/contact-details`. */
export const ContactDetailsQuery = Type.Object(
  { purpose: Text(500, 'Why the caller needs the contact data (logged with the read)') },
  strict,
);
export type ContactDetailsQuery = Static<typeof ContactDetailsQuery>;

/** `PUT /case-policies`: the tenant's case policy, whole. */
export const PutCasePoliciesRequest = Type.Object(
  {
    reopenWindowDays: Type.Integer({
      ...casePolicyBounds.reopenWindowDays,
      description: "Days after resolution during which the customer's objection reopens a case (default 7)",
    }),
    identityVerificationMinutes: Type.Integer({
      ...casePolicyBounds.identityVerificationMinutes,
      description: "Minutes a verification of the customer's identity holds (default 30)",
    }),
  },
  strict,
);
export type PutCasePoliciesRequest = Static<typeof PutCasePoliciesRequest>;
