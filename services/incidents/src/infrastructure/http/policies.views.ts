import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IncidentLevels, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import { IncidentPolicyOverridesSchema } from './policies.request';

const Level = StringEnum(IncidentLevels);
const Roles = ReadonlyList(Type.String());
const perLevel = <S extends TSchema>(value: S) => Type.Object({ L1: value, L2: value, L3: value });

/** The policy every incident rule reads: the defaults of domain.md §5 and §6 with the tenant's overrides applied. */
export const IncidentPolicyView = Type.Object(
  {
    clustering: Type.Object({
      windowHours: Nullable(Type.Number()),
      regionThresholds: perLevel(Nullable(Type.Integer())),
      countBy: StringEnum(['customer', 'complaint'] as const),
      levelThresholds: perLevel(Type.Integer()),
      flagLevels: Type.Object({
        injury: Nullable(Level),
        propertyLoss: Nullable(Level),
        mediaExposure: Nullable(Level),
        legalThreat: Nullable(Level),
        groupEvent: Nullable(Level),
        brandRisk: Nullable(Level),
        regionalOutage: Nullable(Level),
        majorCustomerLoss: Nullable(Level),
      }),
    }),
    contactDeadlineMinutes: perLevel(Type.Number()),
    contactSharePercent: perLevel(Type.Number()),
    confirmationSharePercent: perLevel(Type.Number()),
    levelOneAuthority: Roles,
    satisfactionTargetPercent: perLevel(Type.Number()),
    retrospectiveDueHours: perLevel(Type.Number()),
    retrospectiveReminderHoursBefore: perLevel(Type.Number()),
    closureCheckers: Type.Object({ quality: Roles, recallCompliance: Roles, prStatement: Roles }),
    responseTeams: perLevel(Type.Object({ lead: Type.String(), members: Roles })),
    escalationLadder: Roles,
    solutionApprovers: perLevel(Roles),
    recallApprovers: Roles,
    downgradeApprovers: perLevel(Roles),
    rootCauseGroups: Type.Object({ 'product-quality': Roles, 'service-failure': Roles, 'special-scenario': Roles }),
    recurrenceWindowDays: Type.Integer({ minimum: 1 }),
  },
  { title: 'IncidentPolicy' },
);

/** `GET /policies`, `PUT /policies`: the tenant's overrides, the effective policy, the pager, the last change. */
export const PoliciesView = Type.Object(
  {
    tenant: Type.String(),
    overrides: IncidentPolicyOverridesSchema,
    effective: IncidentPolicyView,
    pager: Type.Object({
      webhookUrl: Nullable(Type.String({ format: 'uri' }), {
        description: 'Receives every page; `null` falls back to `PAGER_WEBHOOK_URL`',
      }),
    }),
    updatedAt: Nullable(DateTime(), { description: '`null` while the tenant runs on the defaults' }),
    updatedBy: Nullable(Type.String()),
  },
  { title: 'PoliciesView' },
);
export type PoliciesView = Static<typeof PoliciesView>;
