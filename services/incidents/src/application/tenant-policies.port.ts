import type { Queryable } from '@aftersales/eventstore';
import type { IncidentPolicyOverrides } from '../domain';

/** A tenant's incident settings as stored: what it changed from the defaults, its pager, who changed them when. */
export interface StoredTenantPolicy {
  readonly overrides: IncidentPolicyOverrides;
  readonly pagerWebhookUrl: string | null;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

/**
 * Port: the tenants' stored incident settings (`incidents_tenant_policies`) and the history of their changes
 * (`incidents_tenant_policy_changes`). Adapter: `infrastructure/persistence/tenant-policies.postgres.ts`.
 */
export interface TenantPolicyRepository {
  /** The tenant's stored settings, read in `tx` when given; `null` while the tenant runs on the defaults. */
  find(tenant: string, tx?: Queryable): Promise<StoredTenantPolicy | null>;
  /** Replaces the tenant's settings and records the change in their history, both or neither. */
  save(tenant: string, policy: StoredTenantPolicy): Promise<void>;
}

/** DI token of the {@link TenantPolicyRepository}. */
export const TENANT_POLICY_REPOSITORY = Symbol('TENANT_POLICY_REPOSITORY');
