import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IncidentLevels, StringEnum } from '@aftersales/contracts';
import { ReadonlyList } from '@aftersales/platform-http';

const strict = { additionalProperties: false } as const;
const level = StringEnum(IncidentLevels);
const role = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9-]*$' });
const roles = ReadonlyList(role, { maxItems: 20 });
/** A value per level, any subset of `L1`, `L2`, `L3`. */
const perLevel = <S extends TSchema>(value: S) =>
  Type.Object({ L1: Type.Optional(value), L2: Type.Optional(value), L3: Type.Optional(value) }, strict);
const positive = (maximum: number) => Type.Number({ exclusiveMinimum: 0, maximum });

/**
 * A tenant's changes to the incident policy defaults (domain.md §5, §6): any subset, at any depth; lists replace the
 * default list whole. Shapes are checked here (400 per field); consistency (thresholds in order, someone to approve)
 * by the domain's `resolvePolicy` (422 with the problems).
 */
export const IncidentPolicyOverridesSchema = Type.Object(
  {
    clustering: Type.Optional(
      Type.Object(
        {
          windowHours: Type.Optional(
            Type.Union([positive(24 * 366), Type.Null()], {
              description: '`null`: count over the cluster episode (no window); hours: a sliding window',
            }),
          ),
          regionThresholds: Type.Optional(
            perLevel(Type.Union([Type.Integer({ minimum: 1, maximum: 10_000 }), Type.Null()])),
          ),
          countBy: Type.Optional(StringEnum(['customer', 'complaint'] as const)),
          levelThresholds: Type.Optional(perLevel(Type.Integer({ minimum: 1, maximum: 10_000_000 }))),
          flagLevels: Type.Optional(
            Type.Object(
              {
                injury: Type.Optional(Type.Union([level, Type.Null()])),
                propertyLoss: Type.Optional(Type.Union([level, Type.Null()])),
                mediaExposure: Type.Optional(Type.Union([level, Type.Null()])),
                legalThreat: Type.Optional(Type.Union([level, Type.Null()])),
                groupEvent: Type.Optional(Type.Union([level, Type.Null()])),
                brandRisk: Type.Optional(Type.Union([level, Type.Null()])),
                regionalOutage: Type.Optional(Type.Union([level, Type.Null()])),
                majorCustomerLoss: Type.Optional(Type.Union([level, Type.Null()])),
              },
              { ...strict, description: 'The level each flag forces at once; `null`: the flag forces nothing.' },
            ),
          ),
        },
        strict,
      ),
    ),
    contactDeadlineMinutes: Type.Optional(perLevel(positive(60 * 24 * 30))),
    contactSharePercent: Type.Optional(perLevel(Type.Number({ exclusiveMinimum: 0, maximum: 100 }))),
    confirmationSharePercent: Type.Optional(perLevel(Type.Number({ exclusiveMinimum: 0, maximum: 100 }))),
    levelOneAuthority: Type.Optional(ReadonlyList(role, { minItems: 1, maxItems: 20 })),
    closureCheckers: Type.Optional(
      Type.Object(
        {
          quality: Type.Optional(ReadonlyList(role, { minItems: 1, maxItems: 20 })),
          recallCompliance: Type.Optional(ReadonlyList(role, { minItems: 1, maxItems: 20 })),
          prStatement: Type.Optional(ReadonlyList(role, { minItems: 1, maxItems: 20 })),
        },
        strict,
      ),
    ),
    satisfactionTargetPercent: Type.Optional(perLevel(Type.Number({ minimum: 0, maximum: 100 }))),
    retrospectiveDueHours: Type.Optional(perLevel(positive(24 * 366))),
    retrospectiveReminderHoursBefore: Type.Optional(perLevel(positive(24 * 366))),
    responseTeams: Type.Optional(
      perLevel(Type.Object({ lead: Type.Optional(role), members: Type.Optional(roles) }, strict)),
    ),
    escalationLadder: Type.Optional(ReadonlyList(role, { minItems: 1, maxItems: 20 })),
    solutionApprovers: Type.Optional(perLevel(roles)),
    recallApprovers: Type.Optional(roles),
    downgradeApprovers: Type.Optional(perLevel(roles)),
    rootCauseGroups: Type.Optional(
      Type.Object(
        {
          'product-quality': Type.Optional(roles),
          'service-failure': Type.Optional(roles),
          'special-scenario': Type.Optional(roles),
        },
        strict,
      ),
    ),
    recurrenceWindowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_660 })),
  },
  { ...strict, title: 'IncidentPolicyOverrides' },
);

/**
 * `PUT /policies`: replaces the caller's tenant's incident settings (what is not overridden falls back to the
 * defaults). `pager.webhookUrl` receives every page (`POST`, JSON, `Idempotency-Key: <pageId>`); `null` or absent
 * falls back to `PAGER_WEBHOOK_URL`. Beyond its shape, the controller checks the webhook against the operator's
 * allow-list (`INCIDENTS_PAGER_ALLOWED_HOSTS`, see `WebhookAllowList` in `@aftersales/notifications`): 400 on `/pager/webhookUrl` otherwise.
 *
 * @example
 * ```json
 * { "overrides": { "contactDeadlineMinutes": { "L1": 15 } }, "pager": { "webhookUrl": "https://pager.example.com/hook" } }
 * ```
 */
export const PutPoliciesRequest = Type.Object(
  {
    overrides: IncidentPolicyOverridesSchema,
    pager: Type.Optional(
      Type.Object(
        {
          webhookUrl: Type.Union([
            Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2_000 }),
            Type.Null(),
          ]),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type PutPoliciesRequest = Static<typeof PutPoliciesRequest>;
