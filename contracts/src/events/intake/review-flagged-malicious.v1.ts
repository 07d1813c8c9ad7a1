import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.intake.review-flagged-malicious.v1` — a customer's review of an order was reported as malicious (written
 * to extort a benefit or to harm the shop), with the evidence collected. Published on `aftersales.intake.events`, keyed
 * by the review id.
 *
 * Why it is published: the shop's integration is what appeals a review to the marketplace it was posted on (seed 001
 * §8: for malicious reviews, collect the evidence for the appeal); it needs the shop's review id, the reason and where
 * the evidence is. The review itself is not published: the integration that registered it already has it, and a medium
 * or negative review's follow-up case is published as `case-opened.v1`.
 *
 * @example
 * ```ts
 * import { ReviewFlaggedMaliciousV1 } from '@aftersales/contracts';
 * const flagged: ReviewFlaggedMaliciousV1 = {
 *   reviewId: '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
 *   tenantId: 'acme',
 *   shopReviewId: 'TB-REV-88123',
 *   orderId: 'ORD-2025-000123',
 *   reason: 'Buyer demanded a refund in exchange for removing the review',
 *   evidenceRefs: ['https://media.example.com/evidence/chat-1.png'],
 *   flaggedAt: '2025-03-14T09:26:53.589Z',
 * };
 * ```
 */
export const ReviewFlaggedMaliciousV1 = defineEvent({
  service: 'intake',
  name: 'review-flagged-malicious',
  version: 1,
  summary: "A customer's review was reported as malicious, with the evidence collected for the appeal.",
  subject: 'reviewId',
  schema: Type.Object(
    {
      reviewId: Type.String({ format: 'uuid', description: 'Review (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (shop) the review belongs to.' }),
      shopReviewId: Type.String({ minLength: 1, description: "The review's id on the shop platform." }),
      orderId: Type.String({ minLength: 1, description: 'Order the review is about.' }),
      reason: Type.String({
        minLength: 1,
        description: 'Why the review is malicious, as the reporter stated it (objective; no personal data).',
      }),
      evidenceRefs: Type.Array(Type.String({ format: 'uri', description: 'Where a piece of evidence is stored.' }), {
        minItems: 1,
        description: 'The evidence collected (chat transcripts, order records, screenshots).',
      }),
      caseId: Type.Optional(
        Type.String({
          format: 'uuid',
          description: "The review's follow-up case, when it had one (medium or negative).",
        }),
      ),
      flaggedAt: Type.String({ format: 'date-time', description: 'When it was reported.' }),
    },
    {
      $id: 'aftersales.intake.review-flagged-malicious.v1',
      title: 'ReviewFlaggedMalicious v1',
      description:
        "A customer's review was reported as malicious, with the evidence collected for the appeal to the marketplace.",
      examples: [
        {
          reviewId: '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
          tenantId: 'acme',
          shopReviewId: 'TB-REV-88123',
          orderId: 'ORD-2025-000123',
          reason: 'Buyer demanded a refund in exchange for removing the review',
          evidenceRefs: ['https://media.example.com/evidence/chat-1.png'],
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          flaggedAt: '2025-03-14T09:26:53.589Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.review-flagged-malicious.v1`. */
export type ReviewFlaggedMaliciousV1 = EventData<typeof ReviewFlaggedMaliciousV1>;
