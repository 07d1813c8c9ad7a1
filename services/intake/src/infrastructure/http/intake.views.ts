import { Type, type Static } from '@sinclair/typebox';
import { ComplaintCategories, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import { CustomerView } from '../../application/register-complaint.handler';

/**
 * What intake's HTTP API answers (TypeBox): the controllers return these types and `@Responds` documents them in
 * `GET /docs/openapi.json`. The caller's tenant is never repeated in a view.
 */

const Flag = Type.Boolean();

/** `POST /complaints`, `GET /complaints/:complaintId`: never the ciphertext; the customer as the caller may see them. */
export const ComplaintView = Type.Object(
  {
    complaintId: Type.String({ format: 'uuid' }),
    caseId: Type.Optional(Type.String({ format: 'uuid' })),
    orderId: Type.String(),
    productSku: Type.Optional(Type.String()),
    batch: Type.Optional(Type.String()),
    region: Type.Optional(Type.String()),
    category: StringEnum(ComplaintCategories),
    description: Type.String(),
    evidenceRefs: ReadonlyList(Type.String({ format: 'uri' })),
    flags: Type.Object({
      personalInjury: Flag,
      propertyLoss: Flag,
      mediaExposure: Flag,
      legalThreat: Flag,
      groupEvent: Type.Optional(Flag),
    }),
    registeredAt: DateTime(),
    registeredBy: Type.String(),
    status: Type.Literal('registered'),
    customer: CustomerView,
  },
  { title: 'ComplaintView' },
);
export type ComplaintView = Static<typeof ComplaintView>;

/** `POST /customers/:customerId/erasure`: the erasure (the first one when it had happened before). */
export const ErasureView = Type.Object(
  {
    customerId: Type.String(),
    reason: Type.String(),
    erasedAt: DateTime({ description: 'When the customer’s key was destroyed' }),
    erasedBy: Type.String(),
    alreadyErased: Type.Boolean({ description: 'True when the customer had been erased before: nothing changed' }),
  },
  { title: 'ErasureView' },
);
export type ErasureView = Static<typeof ErasureView>;

/** `GET /customers/:customerId/access-log`: who opened the customer's personal data, newest first. */
export const AccessLogView = Type.Object(
  {
    customerId: Type.String(),
    erasure: Nullable(Type.Object({ erasedAt: DateTime(), erasedBy: Type.String() })),
    entries: ReadonlyList(
      Type.Object({
        actor: Type.String(),
        roles: ReadonlyList(Type.String()),
        purpose: Type.String(),
        resource: Nullable(Type.String()),
        outcome: StringEnum(['opened', 'erased', 'no-key', 'key-retired'] as const),
        accessedAt: DateTime(),
      }),
    ),
  },
  { title: 'AccessLogView' },
);
export type AccessLogView = Static<typeof AccessLogView>;

/** A customer reference in a path (`/customers/:customerId/…`): 1 to 64 characters, as `POST /complaints` takes them. */
export const CustomerIdParam = Type.String({ minLength: 1, maxLength: 64, description: 'The customer reference' });

/** Query of `GET /complaints/:complaintId`. */
export const GetComplaintQuery = Type.Object(
  {
    purpose: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        pattern: '\\S',
        description:
          'Why the caller needs the customer’s contact details: discloses them to agents, supervisors and customer-service managers, and logs the read',
      }),
    ),
  },
  { additionalProperties: false },
);
export type GetComplaintQuery = Static<typeof GetComplaintQuery>;
