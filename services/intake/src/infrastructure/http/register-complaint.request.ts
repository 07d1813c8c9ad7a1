import { Type, type Static } from '@sinclair/typebox';
import { ComplaintCategories, StringEnum } from '@aftersales/contracts';

const Flag = Type.Optional(Type.Boolean());

/**
 * Body of `POST /complaints`. The customer's contact details (`name`, `phone`, `email`, `address`) are
 * sealed by the privacy vault before anything is stored or published; only `customer.id` (an opaque
 * reference) travels in plaintext.
 */
export const RegisterComplaintRequest = Type.Object(
  {
    complaintId: Type.Optional(Type.String({ format: 'uuid', description: 'Client-chosen id; generated when absent' })),
    caseId: Type.Optional(
      Type.String({ format: 'uuid', description: 'The after-sales case the complaint arose from' }),
    ),
    customer: Type.Object(
      {
        id: Type.String({ minLength: 1, maxLength: 64, description: 'Opaque customer reference (no personal data)' }),
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40, pattern: '^[0-9+()./ -]+$' })),
        email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
        address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
      },
      { additionalProperties: false },
    ),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    productSku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    batch: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    category: StringEnum(ComplaintCategories),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    evidenceRefs: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), { maxItems: 20 })),
    flags: Type.Optional(
      Type.Object(
        { personalInjury: Flag, propertyLoss: Flag, mediaExposure: Flag, legalThreat: Flag, groupEvent: Flag },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RegisterComplaintRequest = Static<typeof RegisterComplaintRequest>;
