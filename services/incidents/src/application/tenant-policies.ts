import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { resolvePolicy, type IncidentPolicy, type IncidentPolicyOverrides } from '../domain';
import { INCIDENTS_CONFIG, type IncidentsConfig } from './incidents.config';

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

interface PolicyRow extends Record<string, unknown> {
  overrides: IncidentPolicyOverrides;
  pager_webhook_url: string | null;
  updated_at: Date;
  updated_by: string;
}

/**
 * Per-tenant incident policy: every number and role the incident rules use is a tenant's override of a default.
 * Cached per instance for `INCIDENTS_POLICY_CACHE_MS` (a change made through another instance shows after that);
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
  private readonly pool: Pool;

  constructor(
    @Inject(SERVICE_DATABASE) database: ServiceDatabase,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
  ) {
    this.pool = database.pool;
  }

  /** The tenant's resolved policy. Pass `tx` to read inside a caller's transaction on a cache miss. */
  async forTenant(tenant: string, tx?: Queryable): Promise<IncidentPolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  /** The tenant's settings (policy, overrides, pager, who changed them). */
  async settings(tenant: string, tx?: Queryable): Promise<TenantIncidentSettings> {
    const cached = this.cache.get(tenant);
    // Real time, not the service clock: the cache ages with the process, whatever time drills pretend it is.
    if (cached && cached.expiresAt > Date.now()) return cached.settings;
    const { rows } = await (tx ?? this.pool).query<PolicyRow>(
      'SELECT overrides, pager_webhook_url, updated_at, updated_by FROM incidents_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    const row = rows[0];
    const settings = row
      ? settingsOf(tenant, row.overrides, row.pager_webhook_url, row.updated_at.toISOString(), row.updated_by)
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
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const values = [tenant, JSON.stringify(change.overrides), change.pagerWebhookUrl, at, by];
      await client.query(
        `INSERT INTO incidents_tenant_policies (tenant, overrides, pager_webhook_url, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant) DO UPDATE SET overrides = EXCLUDED.overrides,
           pager_webhook_url = EXCLUDED.pager_webhook_url, updated_at = EXCLUDED.updated_at,
           updated_by = EXCLUDED.updated_by`,
        values,
      );
      await client.query(
        `INSERT INTO incidents_tenant_policy_changes (tenant, overrides, pager_webhook_url, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5)`,
        values,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
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
