import { Inject, Injectable } from '@nestjs/common';
import type { Queryable } from '@aftersales/eventstore';
import { resolvePolicy, type IncidentPolicy, type IncidentPolicyOverrides } from '../domain';
import { INCIDENTS_CONFIG, type IncidentsConfig } from './incidents.config';
import { TENANT_POLICY_REPOSITORY, type TenantPolicyRepository } from './tenant-policies.port';

/** A tenant's incident settings: its policy (defaults + overrides) and where its pages are delivered. */
export interface TenantIncidentSettings {
  readonly tenant: string;
  /** What the tenant changed; `{}` for the defaults. */
  readonly overrides: IncidentPolicyOverrides;
  /** The policy every rule reads: the defaults of domain.md with the overrides applied. */
  readonly policy: IncidentPolicy;
  /** The tenant's pager webhook; `null` falls back to `PAGER_WEBHOOK_URL`. */
  readonly pager: { readonly webhookUrl: string | null };
  /** Who last changed the settings, when; `null` while the tenant runs on the defaults. */
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/** What `PUT /policies` stores. */
export interface TenantIncidentSettingsChange {
  readonly overrides: IncidentPolicyOverrides;
  readonly pagerWebhookUrl: string | null;
}

/**
 * Per-tenant incident policy: every number and role the incident rules use is a tenant's override of a default,
 * stored through the {@link TenantPolicyRepository}. Cached per instance for `INCIDENTS_POLICY_CACHE_MS` (a change made through another instance shows after that);
 * a change through this instance shows at once.
 *
 * @example
 * ```ts
 * const decider = createIncidentDecider(await policies.forTenant(tenant, tx));
 * ```
 */
@Injectable()
export class TenantPolicies {
  private readonly cache = new Map<string, { readonly settings: TenantIncidentSettings; readonly expiresAt: number }>();

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(TENANT_POLICY_REPOSITORY) private readonly repository: TenantPolicyRepository,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
  ) {}

  /** The tenant's resolved policy. Pass `tx` to read inside a caller's transaction on a cache miss. */
  async forTenant(tenant: string, tx?: Queryable): Promise<IncidentPolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  /** The tenant's settings (policy, overrides, pager, who changed them). */
  async settings(tenant: string, tx?: Queryable): Promise<TenantIncidentSettings> {
    const cached = this.cache.get(tenant);
    // Real time, not the service clock: the cache ages with the process, whatever time drills pretend it is.
    if (cached && cached.expiresAt > Date.now()) return cached.settings;
    const stored = await this.repository.find(tenant, tx);
    const settings = stored
      ? settingsOf(tenant, stored.overrides, stored.pagerWebhookUrl, stored.updatedAt.toISOString(), stored.updatedBy)
      : settingsOf(tenant, {}, null, null, null);
    this.cache.set(tenant, { settings, expiresAt: Date.now() + this.config.policyCacheMs });
    return settings;
  }

  /**
   * Replaces the tenant's settings, after checking the resulting policy is consistent, and records the change (who,
   * when, what) in the policy's history.
   *
   * @throws `InvalidIncidentPolicy` (a `DomainError`, 422) when the overrides make the rules meaningless.
   */
  async save(
    tenant: string,
    change: TenantIncidentSettingsChange,
    by: string,
    at: Date,
  ): Promise<TenantIncidentSettings> {
    const settings = settingsOf(tenant, change.overrides, change.pagerWebhookUrl, at.toISOString(), by);
    const { overrides, pagerWebhookUrl } = change;
    await this.repository.save(tenant, { overrides, pagerWebhookUrl, updatedAt: at, updatedBy: by });
    this.cache.delete(tenant);
    return settings;
  }
}

function settingsOf(
  tenant: string,
  overrides: IncidentPolicyOverrides,
  webhookUrl: string | null,
  updatedAt: string | null,
  updatedBy: string | null,
): TenantIncidentSettings {
  return { tenant, overrides, policy: resolvePolicy(overrides), pager: { webhookUrl }, updatedAt, updatedBy };
}
