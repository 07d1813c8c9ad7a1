import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../schema';
import { CompensationCauseKinds, CompensationInstruments } from './vocabulary';

/** The head every compensation order event starts with: the order, its tenant, its case, its cause. */
export const CompensationHead = {
  compensationId: Type.String({ format: 'uuid', description: 'Compensation order id; ce_subject and Kafka key.' }),
  tenantId: Type.String({ minLength: 1, description: 'Tenant the order belongs to.' }),
  caseId: Type.Optional(
    Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
  ),
  cause: Type.Object(
    {
      kind: StringEnum(CompensationCauseKinds, { description: 'What the order is for.' }),
      id: Type.String({ minLength: 1, description: 'The case, return, shipment or incident id.' }),
      reason: Type.Optional(Type.String({ description: 'What happened to it (e.g. `lost_in_transit`).' })),
    },
    { description: 'Why the customer is compensated.' },
  ),
  instrument: StringEnum(CompensationInstruments, { description: 'What the customer is given.' }),
  requestKey: Type.String({ minLength: 1, description: 'The idempotency key of the request (one order per key).' }),
};

export const ExampleCompensationHead = {
  compensationId: 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e',
  tenantId: 'acme',
  caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
  cause: { kind: 'shipment' as const, id: 'b7d9f1a3-5c2e-4a8b-9d6f-3e1c5a7b9d0f', reason: 'shipping_deadline_missed' },
  instrument: 'coupon' as const,
  requestKey: 'shipping_deadline_missed:b7d9f1a3-5c2e-4a8b-9d6f-3e1c5a7b9d0f',
};
