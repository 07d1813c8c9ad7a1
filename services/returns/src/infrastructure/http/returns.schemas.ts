import { Type, type Static } from '@sinclair/typebox';
import {
  Dispositions,
  InspectionGrades,
  MismatchKinds,
  ProblemSeverities,
  ReturnClosures,
  ReturnKinds,
  ReturnReasons,
  ReturnResolutions,
  ReturnRules,
  ShippingPayers,
  StringEnum,
} from '@aftersales/contracts';
import { DateTime } from '@aftersales/platform-http';
import { DifferenceSettlements, RepairStages, ReturnStatuses } from '../../domain/return-request.decider';
import { returnsPolicyBounds } from '../../domain/returns-policy';

export const MoneyBody = Type.Object(
  {
    amountMinor: Type.Integer({
      minimum: 0,
      maximum: 1_000_000_000_000,
      description: 'Integer minor units (fen, cents)',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' }),
  },
  { additionalProperties: false },
);
const Sku = Type.String({ minLength: 1, maxLength: 64 });
const LineBody = Type.Object(
  { sku: Sku, quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  { additionalProperties: false },
);

/** Body of `POST /returns`. */
export const RequestReturnBody = Type.Object(
  {
    returnId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Client-chosen id; derived from Idempotency-Key, else new' }),
    ),
    caseId: Type.Optional(
      Type.String({ format: 'uuid', description: 'The after-sales case (intake), when there is one' }),
    ),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    kind: StringEnum(ReturnKinds),
    reason: StringEnum(ReturnReasons),
    severity: Type.Optional(StringEnum(ProblemSeverities, { description: 'For quality problems and transit damage' })),
    mismatch: Type.Optional(StringEnum(MismatchKinds, { description: 'For description mismatches' })),
    items: Type.Array(
      Type.Object(
        {
          sku: Sku,
          quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
          unitPrice: MoneyBody,
          specialPrice: Type.Boolean(),
          deliveredAt: DateTime({ description: 'When the goods were delivered' }),
          condition: Type.Object(
            { unused: Type.Boolean(), tagsAttached: Type.Boolean(), packagingIntact: Type.Boolean() },
            { additionalProperties: false },
          ),
          warrantyUntil: Type.Optional(DateTime({ description: "End of the goods' warranty (repairs), when known" })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    orderPaid: MoneyBody,
    evidenceRefs: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      maxItems: 20,
      description: 'References of photos, videos, labels in the evidence store',
    }),
  },
  { additionalProperties: false, title: 'RequestReturnBody' },
);
export type RequestReturnBody = Static<typeof RequestReturnBody>;

export const OfferAllowanceBody = Type.Object(
  { amount: MoneyBody },
  { additionalProperties: false, title: 'OfferAllowanceBody' },
);
export type OfferAllowanceBody = Static<typeof OfferAllowanceBody>;

export const AnswerAllowanceBody = Type.Object(
  { accepted: Type.Boolean() },
  { additionalProperties: false, title: 'AnswerAllowanceBody' },
);
export type AnswerAllowanceBody = Static<typeof AnswerAllowanceBody>;

export const DecideReturnBody = Type.Object(
  {
    resolution: Type.Optional(
      StringEnum(ReturnResolutions, { description: "Among the problem's outcomes; the customer's ask when absent" }),
    ),
    partialRefund: Type.Optional(MoneyBody),
    exchangeFor: Type.Optional(
      Type.Array(
        Type.Object(
          {
            sku: Type.String({ minLength: 1, maxLength: 64 }),
            quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
            unitPrice: MoneyBody,
          },
          { additionalProperties: false },
        ),
        {
          minItems: 1,
          maxItems: 100,
          description:
            'An exchange for another product or specification: the goods sent instead, priced per unit in the order currency. The price difference against what was paid for the goods sent back is charged to the customer or refunded.',
        },
      ),
    ),
  },
  { additionalProperties: false, title: 'DecideReturnBody' },
);
export type DecideReturnBody = Static<typeof DecideReturnBody>;

export const RecordReceiptBody = Type.Object(
  {
    items: Type.Array(LineBody, { minItems: 1, maxItems: 100 }),
    shipmentId: Type.Optional(Type.String({ format: 'uuid', description: 'The parcel it came in, when known' })),
  },
  { additionalProperties: false, title: 'RecordReceiptBody' },
);
export type RecordReceiptBody = Static<typeof RecordReceiptBody>;

export const InspectReturnBody = Type.Object(
  { grade: StringEnum(InspectionGrades), disposition: StringEnum(Dispositions) },
  { additionalProperties: false, title: 'InspectReturnBody' },
);
export type InspectReturnBody = Static<typeof InspectReturnBody>;

export const QuoteRepairFeeBody = Type.Object(
  { fee: MoneyBody },
  { additionalProperties: false, title: 'QuoteRepairFeeBody' },
);
export type QuoteRepairFeeBody = Static<typeof QuoteRepairFeeBody>;

export const AnswerRepairQuoteBody = Type.Object(
  { accepted: Type.Boolean() },
  { additionalProperties: false, title: 'AnswerRepairQuoteBody' },
);
export type AnswerRepairQuoteBody = Static<typeof AnswerRepairQuoteBody>;

export const AnswerExchangeDifferenceBody = Type.Union(
  [
    Type.Object(
      {
        paid: Type.Literal(true),
        paymentRef: Type.String({ minLength: 1, maxLength: 100, description: "The shop's payment reference" }),
        amount: MoneyBody,
      },
      { additionalProperties: false },
    ),
    Type.Object({ paid: Type.Literal(false) }, { additionalProperties: false }),
  ],
  { title: 'AnswerExchangeDifferenceBody', description: 'Paid (reference and amount: the difference due) or declined' },
);
export type AnswerExchangeDifferenceBody = Static<typeof AnswerExchangeDifferenceBody>;

export const RecordRepairProgressBody = Type.Object(
  { stage: StringEnum(RepairStages) },
  { additionalProperties: false, title: 'RecordRepairProgressBody' },
);
export type RecordRepairProgressBody = Static<typeof RecordRepairProgressBody>;

export const CancelReturnBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false, title: 'CancelReturnBody' },
);
export type CancelReturnBody = Static<typeof CancelReturnBody>;

/** `GET /returns` query: values arrive as strings. */
export const ListReturnsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(ReturnStatuses)),
    caseId: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'Page size, 1 to 500 (100).' }),
    ),
  },
  { additionalProperties: false, title: 'ListReturnsQuery' },
);
export type ListReturnsQuery = Static<typeof ListReturnsQuery>;

const Money = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });
const Line = Type.Object({ sku: Type.String(), quantity: Type.Integer() });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const ExchangeTermsView = Type.Object(
  {
    items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer(), unitPrice: Money })),
    returnedValue: Money,
    replacementValue: Money,
    settlement: StringEnum(DifferenceSettlements),
    difference: Money,
  },
  { description: 'An exchange for another product: the goods sent instead and the price difference' },
);

const Deadline = Type.Object({
  startedAt: DateTime(),
  dueAt: DateTime(),
  status: StringEnum(['open', 'met', 'breached'] as const),
  late: Type.Boolean(),
});

/** A return as read: never the tenant. */
export const ReturnView = Type.Object(
  {
    returnId: Type.String({ format: 'uuid' }),
    caseId: Nullable(Type.String({ format: 'uuid' })),
    orderId: Type.String(),
    kind: StringEnum(ReturnKinds),
    reason: StringEnum(ReturnReasons),
    status: StringEnum(ReturnStatuses),
    items: Type.Array(
      Type.Object({
        sku: Type.String(),
        quantity: Type.Integer(),
        unitPrice: Money,
        specialPrice: Type.Boolean(),
        deliveredAt: DateTime(),
        condition: Type.Object({
          unused: Type.Boolean(),
          tagsAttached: Type.Boolean(),
          packagingIntact: Type.Boolean(),
        }),
        warrantyUntil: Nullable(DateTime()),
      }),
    ),
    orderPaid: Money,
    eligibility: Type.Object({
      eligible: Type.Boolean(),
      rule: StringEnum(ReturnRules),
      shippingPaidBy: Type.Optional(StringEnum(ShippingPayers)),
      resolutions: Type.Optional(Type.Array(StringEnum(ReturnResolutions))),
      explanation: Type.Optional(Type.String()),
    }),
    allowance: Nullable(Type.Object({ amount: Money, approvedBy: Nullable(Type.String()), offeredAt: DateTime() })),
    approval: Nullable(
      Type.Object({
        rule: StringEnum(ReturnRules),
        resolution: StringEnum(ReturnResolutions),
        goodsReturn: Type.Boolean(),
        shippingPaidBy: StringEnum(ShippingPayers),
        exchange: Nullable(ExchangeTermsView),
        approvedAt: DateTime(),
        approvedBy: Type.String(),
      }),
    ),
    exchangeDifference: Nullable(
      Type.Object(
        {
          terms: ExchangeTermsView,
          paidAt: Nullable(DateTime()),
          paymentRef: Nullable(Type.String()),
          declinedAt: Nullable(DateTime()),
        },
        { description: 'The price difference the customer pays for an exchange to dearer goods, once inspected' },
      ),
    ),
    refusal: Nullable(
      Type.Object({
        rule: StringEnum(ReturnRules),
        explanation: Type.String(),
        objectionRoute: Type.String(),
        refusedAt: DateTime(),
      }),
    ),
    received: Type.Array(Line),
    inspection: Nullable(
      Type.Object({
        grade: StringEnum(InspectionGrades),
        disposition: StringEnum(Dispositions),
        accepted: Type.Boolean(),
        inspectedAt: DateTime(),
      }),
    ),
    refund: Nullable(
      Type.Object({
        amount: Money,
        requestedAt: DateTime(),
        paidAt: Nullable(DateTime()),
        paymentChannel: Nullable(Type.String({ description: 'Arrival depends on the payment channel' })),
        failureReason: Nullable(Type.String()),
      }),
    ),
    replacement: Nullable(
      Type.Object({ shipBy: DateTime(), trackingNumber: Nullable(Type.String()), carrier: Nullable(Type.String()) }),
    ),
    closure: Nullable(StringEnum(ReturnClosures)),
    repair: Nullable(
      Type.Object({
        inWarranty: Type.Boolean(),
        fee: Nullable(Money),
        consented: Nullable(Type.Boolean()),
        startedAt: Nullable(DateTime()),
        progress: Type.Array(Type.Object({ stage: StringEnum(RepairStages), at: DateTime(), by: Type.String() })),
      }),
    ),
    deadlines: Type.Object(
      {
        inspection: Type.Optional(Deadline),
        refund_completion: Type.Optional(Deadline),
        replacement_shipment: Type.Optional(Deadline),
        repair: Type.Optional(Deadline),
      },
      { description: "The return's deadlines on the tenant's calendar: open, met (late or not) or breached" },
    ),
    requestedAt: DateTime(),
    requestedBy: Type.String({ description: 'Subject of the token that requested it' }),
  },
  { title: 'ReturnView' },
);
export type ReturnView = Static<typeof ReturnView>;

export const ReturnListView = Type.Object(
  {
    returns: Type.Array(
      Type.Object({
        returnId: Type.String({ format: 'uuid' }),
        caseId: Nullable(Type.String({ format: 'uuid' })),
        orderId: Type.String(),
        kind: StringEnum(ReturnKinds),
        status: StringEnum(ReturnStatuses),
        requestedAt: DateTime(),
      }),
    ),
  },
  { title: 'ReturnListView' },
);
export type ReturnListView = Static<typeof ReturnListView>;

/** `PUT /returns-policies`: the tenant's returns policy, whole. */
export const PutReturnsPolicyBody = Type.Object(
  {
    noReasonWindowDays: Type.Integer(returnsPolicyBounds.noReasonWindowDays),
    allowanceMaxPercent: Type.Integer(returnsPolicyBounds.allowanceMaxPercent),
    agentAllowanceLimitMinor: Type.Integer(returnsPolicyBounds.agentAllowanceLimitMinor),
    calendar: Type.Object(
      {
        timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' }),
        workingDays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { maxItems: 7, description: 'ISO weekdays' }),
        shifts: Type.Array(
          Type.Object(
            {
              start: Type.String({ maxLength: 5, description: 'Local time HH:MM' }),
              end: Type.String({ maxLength: 5, description: 'HH:MM; at or before start: ends the next day' }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 12 },
        ),
        holidays: Type.Array(Type.String({ maxLength: 10, description: 'Local date YYYY-MM-DD' }), { maxItems: 400 }),
        extraWorkingDays: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 400 })),
      },
      {
        additionalProperties: false,
        description: "The tenant's business hours (default: Asia/Shanghai, 09:00–22:30 daily)",
      },
    ),
    inspectionWorkingHours: Type.Integer(returnsPolicyBounds.inspectionWorkingHours),
    refundCompletionWorkingHours: Type.Integer(returnsPolicyBounds.refundCompletionWorkingHours),
    replacementShipWithinHours: Type.Integer(returnsPolicyBounds.replacementShipWithinHours),
    repairWorkingHours: Type.Integer(returnsPolicyBounds.repairWorkingHours),
    objectionRoute: Type.String({ minLength: 1, maxLength: 500 }),
    returnAddressRef: Type.String({ minLength: 1, maxLength: 200 }),
    returnMethod: Type.String({ minLength: 1, maxLength: 100 }),
    packagingInstructions: Type.String({ minLength: 1, maxLength: 500 }),
    supervisorWebhookUrl: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 2_000,
          description:
            "The tenant's supervisor webhook for breached deadlines (absent or null: the operator's); its host must be allowed by RETURNS_NOTIFIER_ALLOWED_HOSTS",
        }),
      ),
    ),
  },
  { additionalProperties: false, title: 'PutReturnsPolicyBody' },
);
export type PutReturnsPolicyBody = Static<typeof PutReturnsPolicyBody>;

export const ReturnsPolicyView = Type.Object(
  {
    policy: PutReturnsPolicyBody,
    updatedAt: Nullable(DateTime()),
    updatedBy: Nullable(Type.String()),
  },
  { title: 'ReturnsPolicyView' },
);
export type ReturnsPolicyView = Static<typeof ReturnsPolicyView>;
