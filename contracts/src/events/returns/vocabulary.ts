import { Type, type Static } from '@sinclair/typebox';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { StringEnum } from '../../schema';

/**
 * Value lists and shared shapes of the returns contracts (`aftersales.returns.*`). Part of published contracts: values
 * may be ADDED (consumers must tolerate unknown values), never removed or renamed. snake_case, as the case lifecycle's.
 */

/**
 * What the customer asks for (domain.md §2; seed 000 §4.1–§4.6; seed 003 §8, §9, §12): a return (refund after the goods
 * come back), an exchange, a refund without a return, a repair, or a claim for a wrong, missing or damaged item.
 * Medusa's order changes are the anchor: return, exchange (with a difference due), claim (refund or replace).
 */
export const ReturnKinds = [
  'return',
  'exchange',
  'refund_only',
  'repair',
  'claim_wrong_item',
  'claim_missing_item',
  'claim_damaged_item',
] as const;
/** What the customer asks for. */
export type ReturnKind = (typeof ReturnKinds)[number];

/**
 * Why (seed 002 §2: quality, non-quality, logistics problems; seed 000 §4.2–§4.5): a quality problem, a personal
 * (non-quality) reason, the goods not matching their description, damage in transit, a wrong item, a missing item.
 */
export const ReturnReasons = [
  'quality',
  'non_quality',
  'description_mismatch',
  'logistics_damage',
  'wrong_item',
  'missing_item',
] as const;
/** Why the customer asks. */
export type ReturnReason = (typeof ReturnReasons)[number];

/**
 * How bad a quality or transit problem is (seed 002 §2 "problem assessment"; seed 000 §4.1): a minor flaw that does not
 * stop use (a chipped cup that still holds water), goods that cannot be used, a safety hazard.
 */
export const ProblemSeverities = ['minor_flaw', 'unusable', 'safety_hazard'] as const;
/** How bad a quality or transit problem is. */
export type ProblemSeverity = (typeof ProblemSeverities)[number];

/**
 * A description mismatch is significant (material, size, function, colour clearly differ: misleading description) or
 * subjective (a slight colour difference, taste): seed 000 §4.3.
 */
export const MismatchKinds = ['significant', 'subjective'] as const;
/** How far goods differ from their description. */
export type MismatchKind = (typeof MismatchKinds)[number];

/**
 * What an approved request leads to (domain.md §2 outcomes): a refund after the goods come back, a refund without a
 * return, a partial refund or cash compensation for a minor flaw, an exchange, a repair, a reshipment of a wrong or
 * missing item, or an explanation without an automatic refund.
 */
export const ReturnResolutions = [
  'return_and_refund',
  'refund_only',
  'partial_refund',
  'exchange',
  'repair',
  'reship',
  'return_and_resend',
  'explanation',
] as const;
/** What an approved request leads to. */
export type ReturnResolution = (typeof ReturnResolutions)[number];

/**
 * The rules a return request is decided by, named in every approval and refusal (domain.md §7: the customer is told the
 * basis of every decision). Eligibility rules (seed 000 §2.4, §4.4; seed 002 §2):
 * - `no_reason_window`: a personal-reason return within the tenant's no-reason window from delivery (7 days default);
 * - `goods_intact`: non-quality returns need unused goods with tags and packaging;
 * - `worn_or_soiled`: worn or soiled goods returned for a non-quality reason are refused;
 * - `special_price_exclusion`: special-price goods are excluded from non-quality returns;
 * - `quality_always_eligible`: quality problems are always eligible, the responsible party pays shipping;
 * - `significant_mismatch_always_eligible`: significant description mismatches likewise;
 * - `subjective_mismatch_explained`: a subjective mismatch is explained, no automatic refund;
 * - `seller_error_always_eligible`: wrong or missing items and transit damage, the platform pays extra shipping.
 */
export const ReturnRules = [
  'no_reason_window',
  'goods_intact',
  'worn_or_soiled',
  'special_price_exclusion',
  'quality_always_eligible',
  'significant_mismatch_always_eligible',
  'subjective_mismatch_explained',
  'seller_error_always_eligible',
] as const;
/** A rule a return request is decided by. */
export type ReturnRule = (typeof ReturnRules)[number];

/** Who pays a shipment (seed 000 §2.4, §4.2–§4.4): the customer, the merchant, the platform or the carrier at fault. */
export const ShippingPayers = ['customer', 'merchant', 'platform', 'carrier'] as const;
/** Who pays a shipment. */
export type ShippingPayer = (typeof ShippingPayers)[number];

/** The grade of returned goods at inspection (QC, seed 000 §2.4). */
export const InspectionGrades = ['as_new', 'opened', 'used', 'damaged', 'not_matching'] as const;
/** The grade of returned goods at inspection. */
export type InspectionGrade = (typeof InspectionGrades)[number];

/** What happens to inspected goods. */
export const Dispositions = ['restock', 'refurbish', 'scrap', 'send_back'] as const;
/** What happens to inspected goods. */
export type Disposition = (typeof Dispositions)[number];

/** How a return ended (`returned_unrepaired`: an out-of-warranty repair the customer declined, the goods sent back). */
export const ReturnClosures = [
  'refunded',
  'exchanged',
  'repaired',
  'reshipped',
  'kept_with_allowance',
  'explained',
  'refused_on_receipt',
  'returned_unrepaired',
] as const;
/** How a return ended. */
export type ReturnClosure = (typeof ReturnClosures)[number];

/**
 * The deadlines of a return, each a durable timer on the tenant's business calendar (seed 000 §2.4): the inspection
 * within the tenant's working hours of arrival, the refund completed within 3–5 working days of receipt (Taobao
 * wording, seed 002 §3) or of eligibility confirmed for a refund without a return, a same-specification replacement
 * shipped within 24 h (domain.md §2), a repair done within 3–5 working days (seed 003 §8).
 */
export const ReturnDeadlines = ['inspection', 'refund_completion', 'replacement_shipment', 'repair'] as const;
/** A deadline of a return. */
export type ReturnDeadline = (typeof ReturnDeadlines)[number];

/** A line of a return: the SKU and how many units. */
export const ReturnLine = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64, description: "The shop's stock-keeping unit." }),
    quantity: Type.Integer({ minimum: 1, description: 'Units.' }),
  },
  { description: 'Units of one SKU.' },
);
/** Units of one SKU. */
export type ReturnLine = Static<typeof ReturnLine>;

/** A returned line with what was paid for one unit. */
export const PricedReturnLine = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64, description: "The shop's stock-keeping unit." }),
    quantity: Type.Integer({ minimum: 1, description: 'Units.' }),
    unitPrice: Money,
    specialPrice: Type.Boolean({ description: 'Sold at a special price (excluded from non-quality returns).' }),
    deliveredAt: Type.String({ format: 'date-time', description: 'When the goods were delivered to the customer.' }),
  },
  { description: 'Units of one SKU with the price paid for one unit.' },
);
/** A returned line with what was paid for one unit. */
export type PricedReturnLine = Static<typeof PricedReturnLine>;

export { Money };

/**
 * How an exchange's price difference is settled (seed 000 §4.3: an exchange for another product → the price difference
 * charged or refunded): nothing when the goods sent instead cost what was paid for the goods sent back, the customer
 * pays the difference when they cost more, it is refunded when they cost less.
 */
export const DifferenceSettlements = ['none', 'customer_pays', 'refund_due'] as const;
/** How an exchange's price difference is settled. */
export type DifferenceSettlement = (typeof DifferenceSettlements)[number];

/** An exchange for another product: the goods sent instead and the price difference against the goods sent back. */
export const ExchangeTerms = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        sku: Type.String({ minLength: 1, maxLength: 64, description: "The shop's stock-keeping unit." }),
        quantity: Type.Integer({ minimum: 1, description: 'Units.' }),
        unitPrice: Money,
      }),
      { minItems: 1, description: 'The goods sent instead, with their price per unit.' },
    ),
    returnedValue: Money,
    replacementValue: Money,
    settlement: StringEnum(DifferenceSettlements, { description: 'How the difference is settled.' }),
    difference: Money,
  },
  {
    description:
      'An exchange for another product: the goods sent instead, what was paid for the goods sent back (`returnedValue`), what the goods sent instead cost (`replacementValue`) and the absolute difference, charged or refunded as `settlement` says.',
  },
);
/** An exchange for another product and its price difference. */
export type ExchangeTerms = Static<typeof ExchangeTerms>;

/** The optional `caseId` of a returns event: the after-sales case the return belongs to (intake's case timeline). */
export const ReturnCaseId = Type.Optional(
  Type.String({
    format: 'uuid',
    description:
      "The after-sales case the return belongs to (intake's case timeline). Absent when it concerns no case.",
  }),
);

/** The return's id: ce_subject and Kafka key of every returns event. */
export const ReturnId = Type.String({
  format: 'uuid',
  description: 'Return request (aggregate) id; ce_subject and Kafka key.',
});

/** The tenant the return belongs to. */
export const TenantId = Type.String({
  minLength: 1,
  description: 'Tenant (merchant or platform) the return belongs to.',
});

/** Ids of the examples, shared so the examples of one return read as one story. */
export const ExampleIds = {
  returnId: 'a3c1e5f7-2b4d-4f6a-8c0e-1d3f5b7a9c2e',
  caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
  shipmentId: 'b7d9f1a3-5c2e-4a8b-9d6f-3e1c5a7b9d0f',
  replacementShipmentId: 'd4f6b8a0-3c5e-4d7f-8a9b-0c2e4f6a8b1d',
  compensationId: 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e',
} as const;
