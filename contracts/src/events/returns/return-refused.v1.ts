import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, ReturnCaseId, ReturnId, ReturnRules, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-refused.v1` — a return request was refused: the rule it failed, the explanation and how the
 * customer may object (domain.md §7: every decision names its basis and the next escalation path). Only ineligible
 * requests are refused. Published on `aftersales.returns.events`, keyed by `returnId`.
 */
export const ReturnRefusedV1 = defineEvent({
  service: 'returns',
  name: 'return-refused',
  version: 1,
  summary: 'A return request was refused: the rule it failed and how the customer may object.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      rule: StringEnum(ReturnRules, { description: 'The rule the request failed.' }),
      explanation: Type.String({ minLength: 1, description: 'The rule, with its figures, as told to the customer.' }),
      objectionRoute: Type.String({ minLength: 1, description: 'How the customer may object, as told to them.' }),
      refusedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-refused.v1',
      title: 'ReturnRefused v1',
      description: 'A return request was refused: the rule it failed, the explanation and how to object.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          rule: 'no_reason_window',
          explanation: 'Returns for a personal reason are accepted within 7 days of delivery; delivered 12 days ago.',
          objectionRoute: 'Reply on the case or ask for a supervisor review within 7 days.',
          refusedAt: '2025-03-22T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-refused.v1`. */
export type ReturnRefusedV1 = EventData<typeof ReturnRefusedV1>;
