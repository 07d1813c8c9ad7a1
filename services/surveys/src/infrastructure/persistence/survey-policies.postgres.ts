import { Inject, Injectable } from '@nestjs/common';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { StoredSurveyPolicy, SurveyPolicyRepository } from '../../application/survey-policies.port';
import type { SurveyPolicyOverrides } from '../../domain/survey-policy';

/** {@link SurveyPolicyRepository} on `surveys_tenant_policies` (one row per tenant that changed a default). */
@Injectable()
export class PostgresSurveyPolicyRepository implements SurveyPolicyRepository {
  constructor(@Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase) {}

  async overridesOf(tenant: string, db: Queryable): Promise<SurveyPolicyOverrides | null> {
    const { rows } = await db.query<{ overrides: SurveyPolicyOverrides }>(
      'SELECT overrides FROM surveys_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    return rows[0]?.overrides ?? null;
  }

  async storedOf(tenant: string, db: Queryable = this.db.pool): Promise<StoredSurveyPolicy | null> {
    const { rows } = await db.query<{ overrides: SurveyPolicyOverrides; updated_at: Date; updated_by: string | null }>(
      'SELECT overrides, updated_at, updated_by FROM surveys_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    const row = rows[0];
    return row ? { overrides: row.overrides, updatedAt: row.updated_at, updatedBy: row.updated_by } : null;
  }

  async save(tenant: string, overrides: SurveyPolicyOverrides, actor: string, at: Date): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO surveys_tenant_policies (tenant, overrides, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant) DO UPDATE SET overrides = EXCLUDED.overrides, updated_at = EXCLUDED.updated_at,
                                          updated_by = EXCLUDED.updated_by`,
      [tenant, JSON.stringify(overrides), at, actor],
    );
  }
}
