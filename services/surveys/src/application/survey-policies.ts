import { Injectable } from '@nestjs/common';
import type { Queryable } from '@aftersales/eventstore';
import { resolveSurveyPolicy, type SurveyPolicy, type SurveyPolicyOverrides } from '../domain/survey-policy';

/**
 * Each tenant's survey policy: the defaults of `domain/survey-policy.ts` with the tenant's overrides from
 * `surveys_tenant_policies` (e.g. `{"satisfied": {"minEachScore": 3}}`). Read in the caller's transaction, so an answer
 * is judged by the policy in force when it is recorded (and the rule used is stored with it).
 */
@Injectable()
export class SurveyPolicies {
  async policyFor(tenant: string, db: Queryable): Promise<SurveyPolicy> {
    const { rows } = await db.query<{ overrides: SurveyPolicyOverrides }>(
      'SELECT overrides FROM surveys_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    return resolveSurveyPolicy(rows[0]?.overrides ?? {});
  }
}
