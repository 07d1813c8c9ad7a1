import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds, Money, ReturnCaseId, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.allowance-offered.v1` — retention (seed 003 §12): the customer is offered to keep the goods with an
 * allowance, at most the tenant's share of the order value (30 % default), within the offering agent's limit or
 * approved by a supervisor above it.
 */
export const AllowanceOfferedV1 = defineEvent({
  service: 'returns',
  name: 'allowance-offered',
  version: 1,
  summary: 'The customer was offered to keep the goods with an allowance (at most 30 % of the order by default).',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      amount: Money,
      orderPaid: Money,
      approvedBy: Type.Optional(
        Type.String({ minLength: 1, description: 'The supervisor who approved an amount above the agent’s limit.' }),
      ),
      offeredAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.allowance-offered.v1',
      title: 'AllowanceOffered v1',
      description:
        'Retention: the customer may keep the goods with an allowance of `amount` (at most the tenant’s share of `orderPaid`).',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          amount: { amountMinor: 5000, currency: 'CNY' },
          orderPaid: { amountMinor: 25900, currency: 'CNY' },
          offeredAt: '2025-03-12T09:45:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.allowance-offered.v1`. */
export type AllowanceOfferedV1 = EventData<typeof AllowanceOfferedV1>;
