import { Type, type Static } from '@sinclair/typebox';

/** Body of `POST /customers/:customerId/erasure`. */
export const EraseCustomerDataRequest = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Why (e.g. the erasure request reference). Kept in the audit trail: no personal data here.',
    }),
  },
  { additionalProperties: false },
);
export type EraseCustomerDataRequest = Static<typeof EraseCustomerDataRequest>;
