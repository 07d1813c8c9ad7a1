import type { Queryable } from '@aftersales/eventstore';
import type { SurveyPolicyOverrides } from '../domain/survey-policy';

/** A tenant's stored changes to the defaults, and who made the last one when. */
export interface StoredSurveyPolicy {
  readonly overrides: SurveyPolicyOverrides;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
}

/**
 * Port: each tenant's changes to the default survey policy (e.g. `{"satisfied": {"minEachScore": 3}}`). Adapter:
 * `infrastructure/persistence/survey-policies.postgres.ts`.
 */
export interface SurveyPolicyRepository {
  /** The tenant's overrides, read in `db` (the caller's transaction); `null` while it runs on the defaults. */
  overridesOf(tenant: string, db: Queryable): Promise<SurveyPolicyOverrides | null>;
  /** The tenant's stored policy with who set it; `null` while it runs on the defaults. */
  storedOf(tenant: string, db?: Queryable): Promise<StoredSurveyPolicy | null>;
  /** Replaces the tenant's overrides, attributed to `actor`. */
  save(tenant: string, overrides: SurveyPolicyOverrides, actor: string, at: Date): Promise<void>;
}

/** DI token of the {@link SurveyPolicyRepository}. */
export const SURVEY_POLICY_REPOSITORY = Symbol('SURVEY_POLICY_REPOSITORY');
