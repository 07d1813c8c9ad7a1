import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '@aftersales/contracts';
import { DateTime } from '@aftersales/platform-http';
import { CauseKinds, ManualReviewResolutions } from '../../domain/compensation-order.decider';
import { ApproverRoles, Instruments } from '../../domain/compensation-policy';

const MAX_MINOR = 1_000_000_000_000;
export const MoneyBody = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, maximum: MAX_MINOR, description: 'Integer minor units (fen, cents)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' }),
  },
  { additionalProperties: false },
);
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CompensationStatuses = [
  'pending_approval',
  'offered',
  'paying',
  'paid',
  'issued',
  'refused',
  'declined',
  'rejected',
  'expired',
  'manual_review',
  'abandoned',
] as const;

const CauseBody = Type.Object(
  {
    kind: StringEnum(CauseKinds),
    id: Type.String({ minLength: 1, maxLength: 128, description: 'The case, return, shipment or incident id' }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' })),
  },
  { additionalProperties: false },
);

/** Body of `POST /compensations`. */
export const RequestCompensationBody = Type.Object(
  {
    cause: CauseBody,
    caseId: Type.Optional(Type.String({ format: 'uuid', description: 'The after-sales case, when there is one' })),
    orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    instrument: StringEnum(Instruments),
    amount: Type.Optional(MoneyBody),
    orderValue: Type.Optional(MoneyBody),
    paidAmount: Type.Optional(MoneyBody),
    itemCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    specialPrice: Type.Optional(Type.Boolean()),
    productAllowsGift: Type.Optional(Type.Boolean()),
    productAllowsFreeShipping: Type.Optional(Type.Boolean()),
    customerConsented: Type.Optional(
      Type.Boolean({ description: 'The customer already agreed: once approved it is paid or issued at once' }),
    ),
  },
  { additionalProperties: false, title: 'RequestCompensationBody' },
);
export type RequestCompensationBody = Static<typeof RequestCompensationBody>;

export const NoteBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false, title: 'NoteBody' },
);
export type NoteBody = Static<typeof NoteBody>;

/** Body of `POST /compensations/:id/manual-review-resolution`. */
export const ResolveManualReviewBody = Type.Object(
  {
    resolution: StringEnum(ManualReviewResolutions, {
      description:
        'retry: sent again under a new payout key; paid_outside: paid by other means (externalReference required); abandoned: given up, the budget and money back released',
    }),
    note: Type.String({ minLength: 1, maxLength: 2000, description: 'Why (kept in the order’s audited events)' }),
    externalReference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'The reference of the payment made by other means' }),
    ),
  },
  { additionalProperties: false, title: 'ResolveManualReviewBody' },
);
export type ResolveManualReviewBody = Static<typeof ResolveManualReviewBody>;

export const EmptyBody = Type.Object({}, { additionalProperties: false, title: 'EmptyBody' });
export type EmptyBody = Static<typeof EmptyBody>;

export const ListCompensationsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(CompensationStatuses)),
    caseId: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'Page size, 1 to 500 (100).' }),
    ),
  },
  { additionalProperties: false, title: 'ListCompensationsQuery' },
);
export type ListCompensationsQuery = Static<typeof ListCompensationsQuery>;

const Money = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });
const Cause = Type.Object({ kind: Type.String(), id: Type.String(), reason: Type.Optional(Type.String()) });
const Scope = Type.Object({
  kind: Type.String(),
  month: Type.Optional(Type.String()),
  incidentId: Type.Optional(Type.String()),
});

export const CompensationView = Type.Object(
  {
    compensationId: Type.String({ format: 'uuid' }),
    caseId: Nullable(Type.String()),
    orderId: Nullable(Type.String()),
    cause: Cause,
    instrument: Type.String(),
    amount: Money,
    warrantyMonths: Nullable(Type.Integer()),
    status: StringEnum(CompensationStatuses),
    source: Type.String(),
    requestKey: Type.String(),
    requestedBy: Type.String(),
    requestedAt: DateTime(),
    requiredRole: Nullable(Type.String()),
    constraints: Type.Array(Type.String()),
    approvalExpiresAt: Nullable(DateTime()),
    approval: Nullable(
      Type.Object({
        basis: Type.String(),
        approvedBy: Type.String(),
        approverRole: Nullable(Type.String()),
        reservation: Nullable(Type.Object({ scope: Scope, amountMinor: Type.Integer() })),
        offerExpiresAt: DateTime(),
        approvedAt: DateTime(),
      }),
    ),
    payout: Nullable(
      Type.Object({
        payoutKey: Type.String(),
        status: Type.String(),
        attempts: Type.Integer(),
        providerReference: Nullable(Type.String()),
        paymentChannel: Nullable(Type.String()),
        lastError: Nullable(Type.String()),
        nextAttemptAt: Nullable(DateTime()),
        confirmedAt: Nullable(DateTime()),
      }),
    ),
    declineReason: Nullable(Type.String()),
    updatedAt: DateTime(),
  },
  { title: 'CompensationView' },
);
export type CompensationView = Static<typeof CompensationView>;

export const CompensationListView = Type.Object(
  {
    compensations: Type.Array(
      Type.Object({
        compensationId: Type.String(),
        caseId: Nullable(Type.String()),
        cause: Cause,
        instrument: Type.String(),
        amount: Money,
        status: Type.String(),
        requestedAt: DateTime(),
      }),
    ),
  },
  { title: 'CompensationListView' },
);
export type CompensationListView = Static<typeof CompensationListView>;

export const BudgetsQuery = Type.Object(
  {
    month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' })),
    incidentId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false, title: 'BudgetsQuery' },
);
export type BudgetsQuery = Static<typeof BudgetsQuery>;

export const BudgetsView = Type.Object(
  {
    budgets: Type.Array(
      Type.Object({
        scope: Scope,
        currency: Type.String(),
        limitMinor: Type.Integer(),
        reservedMinor: Type.Integer(),
        spentMinor: Type.Integer(),
        availableMinor: Type.Integer(),
      }),
    ),
  },
  { title: 'BudgetsView' },
);
export type BudgetsView = Static<typeof BudgetsView>;

export const LedgerQuery = Type.Object(
  {
    cause: Type.Optional(
      Type.String({
        pattern: `^(${CauseKinds.join('|')})(:[^:]{1,128})?$`,
        description: 'A cause kind, or `<kind>:<id>` (e.g. `return:<returnId>`)',
      }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'Movements, 1 to 500 (100).' }),
    ),
  },
  { additionalProperties: false, title: 'LedgerQuery' },
);
export type LedgerQuery = Static<typeof LedgerQuery>;

const Entry = Type.Object({ account: Type.String(), amountMinor: Type.Integer(), currency: Type.String() });
export const LedgerView = Type.Object(
  {
    movements: Type.Array(
      Type.Object({
        movementId: Type.String(),
        compensationId: Type.String(),
        cause: Cause,
        orderId: Nullable(Type.String()),
        instrument: Type.String(),
        entries: Type.Array(Entry),
        bookedAt: DateTime(),
      }),
    ),
    balances: Type.Array(
      Type.Object({ account: Type.String(), currency: Type.String(), balanceMinor: Type.Integer() }),
    ),
  },
  { title: 'LedgerView' },
);
export type LedgerView = Static<typeof LedgerView>;

const Amount = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_MINOR, description });
const Limits = Type.Object(
  Object.fromEntries(Instruments.map((i) => [i, Amount(`Largest ${i} approved alone`)])) as Record<
    (typeof Instruments)[number],
    ReturnType<typeof Amount>
  >,
  { additionalProperties: false },
);

/** Body of `PUT /compensation-policies` (and the policy in its view). */
export const CompensationPolicyBody = Type.Object(
  {
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    instruments: Type.Array(StringEnum(Instruments), { uniqueItems: true, maxItems: Instruments.length }),
    couponAmountMinor: Type.Integer({ minimum: 1, maximum: MAX_MINOR }),
    warrantyExtensionMonths: Type.Integer({ minimum: 1, maximum: 120 }),
    largeOrderMinItems: Type.Integer({ minimum: 2, maximum: 10_000 }),
    largeOrderDiscountPercent: Type.Integer({ minimum: 0, maximum: 100 }),
    retentionAllowanceMaxPercent: Type.Integer({ minimum: 0, maximum: 100 }),
    approvalMatrix: Type.Object(
      Object.fromEntries(ApproverRoles.map((r) => [r, Limits])) as Record<
        (typeof ApproverRoles)[number],
        typeof Limits
      >,
      { additionalProperties: false },
    ),
    approvalExpiryHours: Type.Integer({ minimum: 1, maximum: 24 * 90 }),
    offerExpiryHours: Type.Integer({ minimum: 1, maximum: 24 * 90 }),
    monthlyBudgetMinor: Amount('Compensation budget per calendar month'),
    emergencyFundMinor: Type.Object(
      { L1: Amount('Emergency fund of a level 1 incident'), L2: Amount('Emergency fund of a level 2 incident') },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'CompensationPolicyBody' },
);
export type CompensationPolicyBody = Static<typeof CompensationPolicyBody>;

export const CompensationPolicyView = Type.Object(
  { policy: CompensationPolicyBody, updatedAt: Nullable(DateTime()), updatedBy: Nullable(Type.String()) },
  { title: 'CompensationPolicyView' },
);
export type CompensationPolicyView = Static<typeof CompensationPolicyView>;

/** What the payment provider's webhook posts (signed). */
export const ProviderConfirmationBody = Type.Object(
  {
    payoutKey: Type.String({ minLength: 1, maxLength: 200 }),
    reference: Type.String({ minLength: 1, maxLength: 200 }),
    status: StringEnum(['confirmed', 'failed', 'pending'] as const),
    amount: MoneyBody,
    paymentChannel: Nullable(Type.String({ maxLength: 64 })),
    confirmedAt: Nullable(DateTime()),
    error: Nullable(Type.String({ maxLength: 1000 })),
    metadata: Type.Object({ tenant: Type.String({ minLength: 1 }), compensationId: Type.String({ format: 'uuid' }) }),
  },
  { title: 'ProviderConfirmationBody' },
);
export type ProviderConfirmationBody = Static<typeof ProviderConfirmationBody>;

/**
 * Body of the provider's webhook: one report, or several the provider sent together (`{ reports }`, as providers that
 * batch their notifications do; ADR 40).
 */
export const ProviderNotificationBody = Type.Union(
  [
    ProviderConfirmationBody,
    Type.Object(
      { reports: Type.Array(ProviderConfirmationBody, { minItems: 1, maxItems: 1000 }) },
      { additionalProperties: false, title: 'ProviderReportsBody' },
    ),
  ],
  { title: 'ProviderNotificationBody' },
);
export type ProviderNotificationBody = Static<typeof ProviderNotificationBody>;

/** Body of `POST /invoice-requests`: the customer applied for an invoice on the order. */
export const RequestInvoiceBody = Type.Object(
  {
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    customerId: Type.String({ minLength: 1, maxLength: 128 }),
    caseId: Type.Optional(Type.String({ format: 'uuid', description: 'The after-sales case, when there is one' })),
    amount: MoneyBody,
    urgent: Type.Optional(Type.Boolean({ description: 'Needed urgently: finance is asked to expedite it' })),
    urgencyReason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false, title: 'RequestInvoiceBody' },
);
export type RequestInvoiceBody = Static<typeof RequestInvoiceBody>;

export const ExpediteInvoiceBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why it is urgent' }) },
  { additionalProperties: false, title: 'ExpediteInvoiceBody' },
);
export type ExpediteInvoiceBody = Static<typeof ExpediteInvoiceBody>;

export const IssueInvoiceBody = Type.Object(
  { invoiceNumber: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9/_.-]+$' }) },
  { additionalProperties: false, title: 'IssueInvoiceBody' },
);
export type IssueInvoiceBody = Static<typeof IssueInvoiceBody>;

export const ListInvoicesQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(['queued', 'issued'] as const)),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'Page size, 1 to 500 (100).' }),
    ),
  },
  { additionalProperties: false, title: 'ListInvoicesQuery' },
);
export type ListInvoicesQuery = Static<typeof ListInvoicesQuery>;

export const InvoiceView = Type.Object(
  {
    invoiceRequestId: Type.String({ format: 'uuid' }),
    queuePosition: Type.Integer({ minimum: 1, description: "The request's place in the tenant's queue" }),
    orderId: Type.String(),
    customerId: Type.String(),
    caseId: Nullable(Type.String({ format: 'uuid' })),
    amount: Type.Object({ amountMinor: Type.Integer(), currency: Type.String() }),
    status: StringEnum(['queued', 'issued'] as const),
    urgent: Type.Boolean(),
    expediteReason: Nullable(Type.String()),
    expediteRequestedAt: Nullable(DateTime()),
    invoiceNumber: Nullable(Type.String()),
    requestedAt: DateTime(),
    issuedAt: Nullable(DateTime()),
  },
  { title: 'InvoiceView' },
);
export type InvoiceView = Static<typeof InvoiceView>;

export const InvoiceListView = Type.Object({ invoices: Type.Array(InvoiceView) }, { title: 'InvoiceListView' });
export type InvoiceListView = Static<typeof InvoiceListView>;
