import { DomainError } from '@aftersales/domain';
import { DEFAULT_BUSINESS_CALENDAR, validateBusinessCalendar, type BusinessCalendar } from '@aftersales/business-time';
import {
  CaseChannels,
  CasePriorities,
  ProblemTypes,
  type CaseChannel,
  type CasePriority,
  type ProblemType,
} from '@aftersales/contracts';

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
 * Which significant or complex resolved cases get a proactive follow-up call, and within how many working days of the
 * tenant's calendar (seed 000 §3.4 「對于重大或復雜的售后問題,在處理完畢后的X個工作日內,可進行主動回訪」).
 */
export interface FollowUpCallRule {
  /** Working days after the resolution the call is due within (the calendar's working days, `addWorkingDays`). */
  readonly workingDays: number;
  /** Significant: a case opened with one of these priorities. */
  readonly priorities: readonly CasePriority[];
  /** Complex: a case that went up its escalation ladder. */
  readonly escalated: boolean;
  /** Complex: a case the customer had reopened. */
  readonly reopened: boolean;
  /** Significant by category: cases of these problem types (e.g. `complaint`). */
  readonly problemTypes: readonly ProblemType[];
}

/**
 * How resolved after-sales cases are surveyed (domain §6 "After resolution: survey by phone/SMS/app"; seed 000 §3.4):
 * which cases, on which channel, how long after the resolution, when to remind and when the survey expires, and what
 * counts as an unsatisfied answer to route as improvement input.
 */
export interface CaseSurveyRule {
  /** Off: resolved cases are not surveyed (incident surveys go on). */
  readonly enabled: boolean;
  readonly channel: SurveyChannel;
  /** Minutes after the resolution the invitation goes out (elapsed time: the customer answers when they like). */
  readonly delayMinutes: number;
  /** Cases of these problem types only; empty: every type. */
  readonly problemTypes: readonly ProblemType[];
  /** Cases opened on these channels only; empty: every channel. */
  readonly caseChannels: readonly CaseChannel[];
  /** Hours after the invitation one reminder goes out while unanswered; 0: no reminder. */
  readonly reminderAfterHours: number;
  /** Hours after the invitation an unanswered survey expires (no answer is taken after). */
  readonly expiresAfterHours: number;
  /**
   * An answer with any of the three scores at or below this is unsatisfied on that dimension, and is routed as
   * improvement input (seed 000 §3.4 「對于客戶反饋的不滿意項…及時反饋給相關部門」).
   */
  readonly unsatisfiedAtOrBelow: number;
  readonly followUpCall: FollowUpCallRule;
}

/** Weekly quality sampling of resolved cases per agent (seed 000 §5.1 「日常抽檢:定期…隨機抽查」). */
export interface SamplingRule {
  /** Resolved cases drawn per agent per ISO week. */
  readonly perAgentPerWeek: number;
  /** The seed of the draw: the same seed, week and cases draw the same sample. */
  readonly seed: string;
}

/**
 * Every number the survey rules use, configured per tenant (domain: "a number here is a default of a per-tenant
 * policy"). Rules read the policy; the rule used is written into each answer, so a later change never rewrites history.
 * The satisfaction *targets* of incidents are not here: they come with the resolved incident (L1 90 / L2 85 / L3 80 %
 * by default, the incidents service's policy).
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
  readonly cases: CaseSurveyRule;
  readonly sampling: SamplingRule;
  /** Days back a resolved case counts as a repeat of the same problem (same customer, order and problem type). */
  readonly repeatWindowDays: number;
  /** The tenant's calendar (working days for the follow-up call). */
  readonly calendar: BusinessCalendar;
  /**
   * Where invitations, reminders and overdue follow-up calls are delivered (the tenant's SMS/app gateway); `null`: the
   * operator's `SURVEYS_NOTIFIER_WEBHOOK_URL`.
   */
  readonly webhookUrl: string | null;
}

export const defaultSurveyPolicy: SurveyPolicy = {
  satisfied: { minAverage: 4, minEachScore: scoreScale.min },
  channel: 'sms',
  suggestionMaxLength: 2000,
  cases: {
    enabled: true,
    channel: 'sms',
    delayMinutes: 60,
    problemTypes: [],
    caseChannels: [],
    reminderAfterHours: 24,
    expiresAfterHours: 72,
    unsatisfiedAtOrBelow: 2,
    followUpCall: { workingDays: 3, priorities: ['high', 'urgent'], escalated: true, reopened: true, problemTypes: [] },
  },
  sampling: { perAgentPerWeek: 3, seed: 'quality' },
  repeatWindowDays: 30,
  calendar: DEFAULT_BUSINESS_CALENDAR,
  webhookUrl: null,
};

/** A tenant's changes to the defaults (any subset). */
export type SurveyPolicyOverrides = {
  readonly satisfied?: Partial<SatisfiedRule>;
  readonly channel?: SurveyChannel;
  readonly suggestionMaxLength?: number;
  readonly cases?: Partial<Omit<CaseSurveyRule, 'followUpCall'>> & {
    readonly followUpCall?: Partial<FollowUpCallRule>;
  };
  readonly sampling?: Partial<SamplingRule>;
  readonly repeatWindowDays?: number;
  readonly calendar?: BusinessCalendar;
  readonly webhookUrl?: string | null;
};

export class InvalidSurveyPolicy extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'SURVEY_POLICY.INVALID',
      'invalid',
      `Invalid survey policy: ${problems.join('; ')}`,
      `A survey policy needs satisfied thresholds within ${scoreScale.min}–${scoreScale.max}, known channels, problem types and priorities, positive lengths and delays, and a valid calendar`,
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
  const cases: CaseSurveyRule = {
    ...base.cases,
    ...overrides.cases,
    followUpCall: { ...base.cases.followUpCall, ...overrides.cases?.followUpCall },
  };
  const policy: SurveyPolicy = {
    satisfied: { ...base.satisfied, ...overrides.satisfied },
    channel: overrides.channel ?? base.channel,
    suggestionMaxLength: overrides.suggestionMaxLength ?? base.suggestionMaxLength,
    cases,
    sampling: { ...base.sampling, ...overrides.sampling },
    repeatWindowDays: overrides.repeatWindowDays ?? base.repeatWindowDays,
    calendar: overrides.calendar ?? base.calendar,
    webhookUrl: overrides.webhookUrl === undefined ? base.webhookUrl : overrides.webhookUrl,
  };
  const problems: string[] = [];
  const onScale = (name: string, value: number) => {
    if (!(typeof value === 'number' && value >= scoreScale.min && value <= scoreScale.max)) {
      problems.push(`${name} must be within ${scoreScale.min}–${scoreScale.max} (got ${String(value)})`);
    }
  };
  const whole = (name: string, value: number, min: number, max: number) => {
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      problems.push(`${name} must be a whole number within ${min}–${max} (got ${String(value)})`);
    }
  };
  const among = <T extends string>(name: string, values: readonly T[], known: readonly string[]) => {
    if (!Array.isArray(values) || values.some((v) => !known.includes(v))) {
      problems.push(`${name} must list only ${known.join(', ')}`);
    }
  };
  onScale('satisfied.minAverage', policy.satisfied.minAverage);
  onScale('satisfied.minEachScore', policy.satisfied.minEachScore);
  if (!surveyChannels.includes(policy.channel)) problems.push(`channel must be one of ${surveyChannels.join(', ')}`);
  if (!(Number.isInteger(policy.suggestionMaxLength) && policy.suggestionMaxLength > 0)) {
    problems.push('suggestionMaxLength must be a positive integer');
  }
  if (typeof cases.enabled !== 'boolean') problems.push('cases.enabled must be true or false');
  if (!surveyChannels.includes(cases.channel))
    problems.push(`cases.channel must be one of ${surveyChannels.join(', ')}`);
  whole('cases.delayMinutes', cases.delayMinutes, 0, 60 * 24 * 30);
  among('cases.problemTypes', cases.problemTypes, ProblemTypes);
  among('cases.caseChannels', cases.caseChannels, CaseChannels);
  whole('cases.reminderAfterHours', cases.reminderAfterHours, 0, 24 * 60);
  whole('cases.expiresAfterHours', cases.expiresAfterHours, 1, 24 * 90);
  if (cases.reminderAfterHours >= cases.expiresAfterHours) {
    problems.push('cases.reminderAfterHours must be before cases.expiresAfterHours');
  }
  whole('cases.unsatisfiedAtOrBelow', cases.unsatisfiedAtOrBelow, scoreScale.min - 1, scoreScale.max - 1);
  whole('cases.followUpCall.workingDays', cases.followUpCall.workingDays, 1, 60);
  among('cases.followUpCall.priorities', cases.followUpCall.priorities, CasePriorities);
  among('cases.followUpCall.problemTypes', cases.followUpCall.problemTypes, ProblemTypes);
  if (typeof cases.followUpCall.escalated !== 'boolean' || typeof cases.followUpCall.reopened !== 'boolean') {
    problems.push('cases.followUpCall.escalated and .reopened must be true or false');
  }
  whole('sampling.perAgentPerWeek', policy.sampling.perAgentPerWeek, 0, 1000);
  if (!(typeof policy.sampling.seed === 'string' && policy.sampling.seed.length > 0)) {
    problems.push('sampling.seed must be a non-empty text');
  }
  whole('repeatWindowDays', policy.repeatWindowDays, 1, 366);
  for (const error of validateBusinessCalendar(policy.calendar))
    problems.push(`calendar${error.pointer}: ${error.detail}`);
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
