import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import {
  ExampleIds,
  ExchangeTerms,
  ReturnCaseId,
  ReturnId,
  ReturnResolutions,
  ReturnRules,
  ShippingPayers,
  TenantId,
} from './vocabulary';

/**
 * `aftersales.returns.return-approved.v1` — a return request was found eligible under the tenant's policy: the rule it
 * was decided by, what it leads to, whether the goods come back and who pays that shipping (seed 000 §2.4: an eligible
 * request is never refused). Published on `aftersales.returns.events`, keyed by `returnId`.
 */
export const ReturnApprovedV1 = defineEvent({
  service: 'returns',
  name: 'return-approved',
  version: 1,
  summary: 'A return request was found eligible: the rule, the resolution and who pays the return shipping.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      rule: StringEnum(ReturnRules, { description: 'The eligibility rule the request was approved by.' }),
      resolution: StringEnum(ReturnResolutions, { description: 'What the approved request leads to.' }),
      goodsReturn: Type.Boolean({ description: 'Whether the goods are shipped back before the resolution.' }),
      shippingPaidBy: StringEnum(ShippingPayers, { description: 'Who pays the return (and any extra) shipping.' }),
      exchange: Type.Optional(ExchangeTerms),
      approvedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-approved.v1',
      title: 'ReturnApproved v1',
      description:
        'A return request was found eligible: the rule it was decided by, the resolution, whether the goods come back and who pays the shipping.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          rule: 'quality_always_eligible',
          resolution: 'return_and_refund',
          goodsReturn: true,
          shippingPaidBy: 'merchant',
          approvedAt: '2025-03-12T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-approved.v1`. */
export type ReturnApprovedV1 = EventData<typeof ReturnApprovedV1>;
