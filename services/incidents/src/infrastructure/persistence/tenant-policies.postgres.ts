import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { StoredTenantPolicy, TenantPolicyRepository } from '../../application/tenant-policies.port';
import type { IncidentPolicyOverrides } from '../../domain';

interface PolicyRow extends Record<string, unknown> {
  overrides: IncidentPolicyOverrides;
  pager_webhook_url: string | null;
  updated_at: Date;
  updated_by: string;
}

/**
 * {@link TenantPolicyRepository} on `incidents_tenant_policies` (one row per tenant) and
 * `incidents_tenant_policy_changes` (every change, appended in the same transaction).
 */
@Injectable()
export class PostgresTenantPolicyRepository implements TenantPolicyRepository {
  private readonly pool: Pool;

  constructor(@Inject(SERVICE_DATABASE) database: ServiceDatabase) {
    this.pool = database.pool;
  }

  async find(tenant: string, tx?: Queryable): Promise<StoredTenantPolicy | null> {
    const { rows } = await (tx ?? this.pool).query<PolicyRow>(
      'SELECT overrides, pager_webhook_url, updated_at, updated_by FROM incidents_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      overrides: row.overrides,
      pagerWebhookUrl: row.pager_webhook_url,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  async save(tenant: string, policy: StoredTenantPolicy): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const values = [
        tenant,
        JSON.stringify(policy.overrides),
        policy.pagerWebhookUrl,
        policy.updatedAt,
        policy.updatedBy,
      ];
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
  }
}
