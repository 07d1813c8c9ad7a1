import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds, ReturnCaseId, ReturnId, ReturnLine, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-received.v1` — returned goods arrived at the tenant: what arrived and whether it is all of
 * it (Medusa's received / partially received). Inspection is due within the tenant's working hours from now.
 */
export const ReturnReceivedV1 = defineEvent({
  service: 'returns',
  name: 'return-received',
  version: 1,
  summary: 'Returned goods arrived, in full or in part; inspection is due.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      items: Type.Array(ReturnLine, { minItems: 1, description: 'What arrived (all receipts so far).' }),
      complete: Type.Boolean({ description: 'Whether everything asked for has arrived (false: partially received).' }),
      shipmentId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The logistics shipment that brought it, when logistics did.' }),
      ),
      receivedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-received.v1',
      title: 'ReturnReceived v1',
      description: 'Returned goods arrived at the tenant, in full or in part (`complete`).',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          items: [{ sku: 'KETTLE-1L-WHT', quantity: 1 }],
          complete: true,
          shipmentId: ExampleIds.shipmentId,
          receivedAt: '2025-03-14T15:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-received.v1`. */
export type ReturnReceivedV1 = EventData<typeof ReturnReceivedV1>;
