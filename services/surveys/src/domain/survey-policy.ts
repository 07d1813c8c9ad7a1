import { DomainError } from '@aftersales/domain';

/**
 * The questionnaire of domain §6: three scores from 1 (worst) to 5 (best) and a free-text suggestion. The scale is the
 * questionnaire's definition, not a tenant rule; what counts as "satisfied" on it is (see {@link SurveyPolicy}).
 */
export const scoreScale = { min: 1, max: 5 } as const;
export const scoreNames = ['responseSpeed', 'result', 'attitude'] as const;
export type ScoreName = (typeof scoreNames)[number];
export type Scores = { readonly [S in ScoreName]: number };

/** How a survey reaches the customer, and how an answer came back (domain §6: phone, SMS or app). */
export const surveyChannels = ['phone', 'sms', 'app'] as const;
export type SurveyChannel = (typeof surveyChannels)[number];

/**
 * When one answer counts as a satisfied customer: the mean of the three scores is at least `minAverage` AND no score is
 * below `minEachScore`. The default (mean ≥ 4, no floor) reads "on average good or very good".
 */
export interface SatisfiedRule {
  readonly minAverage: number;
  readonly minEachScore: number;
}

/**
 * Every number the survey rules use, configured per tenant (domain: "a number here is a default of a per-tenant
 * policy"). Rules read the policy; the rule used is written into each answer, so a later change never rewrites history.
 * The satisfaction *targets* are not here: they come with the resolved incident (L1 90 / L2 85 / L3 80 % by default, the
 * incidents service's policy).
 *
 * @example
 * ```ts
 * const policy = resolveSurveyPolicy({ satisfied: { minEachScore: 3 } });
 * policy.satisfied; // { minAverage: 4, minEachScore: 3 }
 * ```
 */
export interface SurveyPolicy {
  readonly satisfied: SatisfiedRule;
  /** The channel surveys are sent on after an incident is resolved. */
  readonly channel: SurveyChannel;
  /** Longest suggestion kept, in characters. */
  readonly suggestionMaxLength: number;
}

export const defaultSurveyPolicy: SurveyPolicy = {
  satisfied: { minAverage: 4, minEachScore: scoreScale.min },
  channel: 'sms',
  suggestionMaxLength: 2000,
};

/** A tenant's changes to the defaults (any subset). */
export type SurveyPolicyOverrides = {
  readonly satisfied?: Partial<SatisfiedRule>;
  readonly channel?: SurveyChannel;
  readonly suggestionMaxLength?: number;
};

export class InvalidSurveyPolicy extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'SURVEY_POLICY.INVALID',
      'invalid',
      `Invalid survey policy: ${problems.join('; ')}`,
      `A survey policy needs satisfied thresholds within ${scoreScale.min}–${scoreScale.max}, a known channel and a positive suggestion length`,
    );
  }
}

/**
 * The defaults with a tenant's overrides applied, validated.
 *
 * @throws {@link InvalidSurveyPolicy} when the result is inconsistent.
 */
export function resolveSurveyPolicy(
  overrides: SurveyPolicyOverrides = {},
  base: SurveyPolicy = defaultSurveyPolicy,
): SurveyPolicy {
  const policy: SurveyPolicy = {
    satisfied: { ...base.satisfied, ...overrides.satisfied },
    channel: overrides.channel ?? base.channel,
    suggestionMaxLength: overrides.suggestionMaxLength ?? base.suggestionMaxLength,
  };
  const problems: string[] = [];
  const onScale = (name: string, value: number) => {
    if (!(typeof value === 'number' && value >= scoreScale.min && value <= scoreScale.max)) {
      problems.push(`${name} must be within ${scoreScale.min}–${scoreScale.max} (got ${String(value)})`);
    }
  };
  onScale('satisfied.minAverage', policy.satisfied.minAverage);
  onScale('satisfied.minEachScore', policy.satisfied.minEachScore);
  if (!surveyChannels.includes(policy.channel)) problems.push(`channel must be one of ${surveyChannels.join(', ')}`);
  if (!(Number.isInteger(policy.suggestionMaxLength) && policy.suggestionMaxLength > 0)) {
    problems.push('suggestionMaxLength must be a positive integer');
  }
  if (problems.length > 0) throw new InvalidSurveyPolicy(problems);
  return policy;
}

/** Mean of the three scores. */
export function averageScore(scores: Scores): number {
  return scoreNames.reduce((sum, name) => sum + scores[name], 0) / scoreNames.length;
}

/**
 * Whether an answer counts as a satisfied customer under `rule`. The mean is compared as a sum (`sum ≥ minAverage × 3`)
 * so no float rounding decides a borderline answer: (5, 4, 3) has sum 12 ≥ 4 × 3 → satisfied; (4, 4, 3) → 11 → not.
 */
export function isSatisfied(scores: Scores, rule: SatisfiedRule): boolean {
  const sum = scoreNames.reduce((total, name) => total + scores[name], 0);
  return sum >= rule.minAverage * scoreNames.length && scoreNames.every((name) => scores[name] >= rule.minEachScore);
}
