import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.intake.customer-data-erased.v1` — a customer's personal data was erased (crypto-shredding: the customer's
 * data key destroyed; seed 000 §2.5 信息保密標準, domain §7). Every service that keeps personal data of its own under a
 * key for the same customer destroys its key too (surveys: the contacts customers leave with their answers). It names
 * the customer by the opaque reference only, never why or by whom. Published on `aftersales.intake.events`, keyed by
 * `customerId`.
 *
 * @example
 * ```ts
 * import { CustomerDataErasedV1 } from '@aftersales/contracts';
 * const event: CustomerDataErasedV1 = { tenantId: 'acme', customerId: 'cus-1', erasedAt: '2026-11-30T09:00:00.000Z' };
 * ```
 */
export const CustomerDataErasedV1 = defineEvent({
  service: 'intake',
  name: 'customer-data-erased',
  version: 1,
  summary: "A customer's personal data was erased; every service destroys its own key for the customer.",
  subject: 'customerId',
  schema: Type.Object(
    {
      customerId: Type.String({
        minLength: 1,
        description: 'Opaque customer reference whose personal data was erased; also the Kafka key.',
      }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the customer belongs to.' }),
      erasedAt: Type.String({ format: 'date-time', description: "When intake destroyed the customer's key." }),
    },
    {
      $id: 'aftersales.intake.customer-data-erased.v1',
      title: 'CustomerDataErased v1',
      description:
        "A customer's personal data was erased by crypto-shredding; services holding personal data of the customer under keys of their own destroy them.",
      examples: [{ customerId: 'cus-1', tenantId: 'acme', erasedAt: '2026-11-30T09:00:00.000Z' }],
    },
  ),
});

/** Payload of `aftersales.intake.customer-data-erased.v1`. */
export type CustomerDataErasedV1 = EventData<typeof CustomerDataErasedV1>;
