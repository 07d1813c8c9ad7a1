import { Inject, Injectable } from '@nestjs/common';
import type { Queryable } from '@aftersales/eventstore';
import { resolveSurveyPolicy, type SurveyPolicy } from '../domain/survey-policy';
import { SURVEY_POLICY_REPOSITORY, type SurveyPolicyRepository } from './survey-policies.port';

/**
 * Each tenant's survey policy: the defaults of `domain/survey-policy.ts` with the tenant's overrides (the
 * {@link SurveyPolicyRepository}). Read in the caller's transaction, so an answer is judged by the policy in force
 * when it is recorded (and the rule used is stored with it).
 */
@Injectable()
export class SurveyPolicies {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(SURVEY_POLICY_REPOSITORY) private readonly repository: SurveyPolicyRepository) {}

  async policyFor(tenant: string, db: Queryable): Promise<SurveyPolicy> {
    return resolveSurveyPolicy((await this.repository.overridesOf(tenant, db)) ?? {});
  }
}
