import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { CaseChannels, CasePriorities, DesiredResolutions, EvidenceKinds, ProblemTypes } from './vocabulary';

/**
 * `aftersales.intake.case-opened.v1` — an after-sales case (ticket) was opened on a customer
 * channel. Published on `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseOpenedV1 } from '@aftersales/contracts';
 * const event: CaseOpenedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   channel: 'chat',
 *   orderId: 'ORD-2025-000123',
 *   customerId: 'cus_7Hq2Lm9x',
 *   problemType: 'wrong-item',
 *   description: 'Ordered a blue kettle, received a red toaster.',
 *   desiredResolution: 'exchange',
 *   evidence: [{ kind: 'photo', uri: 'https://media.example.com/evidence/8c1f.jpg' }],
 *   openedAt: '2025-03-14T09:26:53.589Z',
 * };
 * ```
 */
export const CaseOpenedV1 = defineEvent({
  service: 'intake',
  name: 'case-opened',
  version: 1,
  summary: 'An after-sales case (ticket) was opened on a customer channel.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      channel: StringEnum(CaseChannels, { description: 'Customer channel the case was opened on.' }),
      orderId: Type.String({ minLength: 1, description: 'Order the case is about.' }),
      customerId: Type.String({
        minLength: 1,
        description: 'Opaque customer reference. Never personal data in plaintext (no name, e-mail, phone).',
      }),
      problemType: StringEnum(ProblemTypes, { description: 'Problem category.' }),
      description: Type.String({
        minLength: 1,
        maxLength: 4000,
        description: 'Problem description as entered by the customer or agent.',
      }),
      desiredResolution: Type.Optional(
        StringEnum(DesiredResolutions, { description: 'Resolution the customer asks for, when stated.' }),
      ),
      evidence: Type.Array(
        Type.Object(
          {
            kind: StringEnum(EvidenceKinds, { description: 'Kind of evidence.' }),
            uri: Type.String({ format: 'uri', description: 'Where the evidence is stored.' }),
          },
          { description: 'A piece of evidence attached to the case.' },
        ),
        { default: [], description: 'Evidence attached when the case was opened; empty when none.' },
      ),
      purchasedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the order was placed.' })),
      priority: Type.Optional(
        StringEnum(CasePriorities, {
          description: 'How urgent the case is; absent: normal. SLA targets may depend on it.',
        }),
      ),
      openedAt: Type.String({ format: 'date-time', description: 'When the case was opened.' }),
    },
    {
      $id: 'aftersales.intake.case-opened.v1',
      title: 'CaseOpened v1',
      description: 'An after-sales case (ticket) was opened on a customer channel.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          channel: 'chat',
          orderId: 'ORD-2025-000123',
          customerId: 'cus_7Hq2Lm9x',
          problemType: 'wrong-item',
          description: 'Ordered a blue kettle, received a red toaster.',
          desiredResolution: 'exchange',
          evidence: [{ kind: 'photo', uri: 'https://media.example.com/evidence/8c1f.jpg' }],
          purchasedAt: '2025-03-10T17:02:11.000Z',
          openedAt: '2025-03-14T09:26:53.589Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-opened.v1`. */
export type CaseOpenedV1 = EventData<typeof CaseOpenedV1>;
