import { Inject, Injectable } from '@nestjs/common';
import type { CommandOrigin, Queryable } from '@aftersales/eventstore';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import { resolveSurveyPolicy, type SurveyPolicy, type SurveyPolicyOverrides } from '../domain/survey-policy';
import { SURVEY_POLICY_REPOSITORY, type SurveyPolicyRepository } from './survey-policies.port';

/** A tenant's survey policy as read: in force, the tenant's overrides, who set them when (`null` on the defaults). */
export interface TenantSurveyPolicy {
  readonly policy: SurveyPolicy;
  readonly overrides: SurveyPolicyOverrides;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/**
 * Each tenant's survey policy: the defaults of `domain/survey-policy.ts` with the tenant's overrides (the
 * {@link SurveyPolicyRepository}). Read in the caller's transaction, so an answer is judged by the policy in force
 * when it is recorded (and the rule used is stored with it).
 */
@Injectable()
export class SurveyPolicies {
  // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(
    @Inject(SURVEY_POLICY_REPOSITORY) private readonly repository: SurveyPolicyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async policyFor(tenant: string, db: Queryable): Promise<SurveyPolicy> {
    return resolveSurveyPolicy((await this.repository.overridesOf(tenant, db)) ?? {});
  }

  async settings(tenant: string): Promise<TenantSurveyPolicy> {
    const stored = await this.repository.storedOf(tenant);
    const overrides = stored?.overrides ?? {};
    return {
      policy: resolveSurveyPolicy(overrides),
      overrides,
      updatedAt: stored ? stored.updatedAt.toISOString() : null,
      updatedBy: stored?.updatedBy ?? null,
    };
  }

  /**
   * Replaces the tenant's overrides (`PUT /survey-policies`) after checking the policy they make
   * (`SURVEY_POLICY.INVALID` otherwise). Applies to what is decided from now on: cases resolved, answers recorded.
   */
  async set(origin: CommandOrigin, overrides: SurveyPolicyOverrides): Promise<TenantSurveyPolicy> {
    resolveSurveyPolicy(overrides);
    await this.repository.save(origin.tenant, overrides, origin.actor.id, this.clock());
    return this.settings(origin.tenant);
  }
}
