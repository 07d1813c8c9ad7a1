import type { Queryable } from '@aftersales/eventstore';
import type { SurveyPolicyOverrides } from '../domain/survey-policy';

/**
 * Port: each tenant's changes to the default survey policy (e.g. `{"satisfied": {"minEachScore": 3}}`). Adapter:
 * `infrastructure/persistence/survey-policies.postgres.ts`.
 */
export interface SurveyPolicyRepository {
  /** The tenant's overrides, read in `db` (the caller's transaction); `null` while it runs on the defaults. */
  overridesOf(tenant: string, db: Queryable): Promise<SurveyPolicyOverrides | null>;
}

/** DI token of the {@link SurveyPolicyRepository}. */
export const SURVEY_POLICY_REPOSITORY = Symbol('SURVEY_POLICY_REPOSITORY');
