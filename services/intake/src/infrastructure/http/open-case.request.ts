import { Type, type Static } from '@sinclair/typebox';
import {
  CaseChannels,
  CasePriorities,
  DesiredResolutions,
  EvidenceKinds,
  ProblemTypes,
  StringEnum,
} from '@aftersales/contracts';

/** Body of `POST /cases`. */
export const OpenCaseRequest = Type.Object(
  {
    caseId: Type.Optional(Type.String({ format: 'uuid', description: 'Client-chosen id; generated when absent' })),
    channel: StringEnum(CaseChannels),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    customerId: Type.String({ minLength: 1, maxLength: 64 }),
    problemType: StringEnum(ProblemTypes),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    desiredResolution: Type.Optional(StringEnum(DesiredResolutions)),
    evidence: Type.Optional(
      Type.Array(
        Type.Object(
          { kind: StringEnum(EvidenceKinds), uri: Type.String({ format: 'uri' }) },
          { additionalProperties: false },
        ),
        {
          maxItems: 20,
        },
      ),
    ),
    purchasedAt: Type.Optional(Type.String({ format: 'date-time' })),
    priority: Type.Optional(
      StringEnum(CasePriorities, {
        description: 'How urgent the case is (default normal); SLA targets may depend on it',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OpenCaseRequest = Static<typeof OpenCaseRequest>;
