import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import {
  ExampleIds,
  MismatchKinds,
  Money,
  PricedReturnLine,
  ProblemSeverities,
  ReturnCaseId,
  ReturnId,
  ReturnKinds,
  ReturnReasons,
  TenantId,
} from './vocabulary';

/**
 * `aftersales.returns.return-requested.v1` — a customer asked for a return, an exchange, a refund without a return, a
 * repair or a claim for a wrong, missing or damaged item (domain.md §2; seed 000 §4.1–§4.6). Published on
 * `aftersales.returns.events`, keyed by `returnId`. No personal data: the order and goods only.
 */
export const ReturnRequestedV1 = defineEvent({
  service: 'returns',
  name: 'return-requested',
  version: 1,
  summary: 'A return, exchange, refund, repair or claim was requested for items of an order.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      kind: StringEnum(ReturnKinds, { description: 'What the customer asks for.' }),
      reason: StringEnum(ReturnReasons, { description: 'Why.' }),
      severity: Type.Optional(
        StringEnum(ProblemSeverities, { description: 'How bad a quality or transit problem is, when there is one.' }),
      ),
      mismatch: Type.Optional(
        StringEnum(MismatchKinds, { description: 'How far the goods differ from their description, for a mismatch.' }),
      ),
      items: Type.Array(PricedReturnLine, { minItems: 1, description: 'The items concerned, with what was paid.' }),
      orderPaid: Money,
      evidenceCount: Type.Integer({ minimum: 0, description: 'Pieces of evidence (photos, videos, labels) attached.' }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-requested.v1',
      title: 'ReturnRequested v1',
      description:
        'A return, exchange, refund-only, repair or claim was requested: the order, the items with the price paid per unit and their delivery, the reason; `orderPaid` is what the customer paid for the whole order (the ceiling of every refund and the base of an allowance).',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          kind: 'return',
          reason: 'quality',
          severity: 'unusable',
          items: [
            {
              sku: 'KETTLE-1L-WHT',
              quantity: 1,
              unitPrice: { amountMinor: 19900, currency: 'CNY' },
              specialPrice: false,
              deliveredAt: '2025-03-10T08:00:00.000Z',
            },
          ],
          orderPaid: { amountMinor: 25900, currency: 'CNY' },
          evidenceCount: 2,
          requestedAt: '2025-03-12T09:30:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-requested.v1`. */
export type ReturnRequestedV1 = EventData<typeof ReturnRequestedV1>;
