import { Injectable } from '@nestjs/common';
import type { Queryable } from '@aftersales/eventstore';
import type { SurveyPolicyRepository } from '../../application/survey-policies.port';
import type { SurveyPolicyOverrides } from '../../domain/survey-policy';

/** {@link SurveyPolicyRepository} on `surveys_tenant_policies` (one row per tenant that changed a default). */
@Injectable()
export class PostgresSurveyPolicyRepository implements SurveyPolicyRepository {
  async overridesOf(tenant: string, db: Queryable): Promise<SurveyPolicyOverrides | null> {
    const { rows } = await db.query<{ overrides: SurveyPolicyOverrides }>(
      'SELECT overrides FROM surveys_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    return rows[0]?.overrides ?? null;
  }
}
