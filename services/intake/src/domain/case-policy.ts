import { assertNever, DomainError, type Command, type Decider } from '@aftersales/domain';

/**
 * A tenant's case policy: the numbers of the case rules that domain.md leaves to each platform or shop. Event-sourced,
 * one stream per tenant; a tenant that never set one runs on {@link defaultCasePolicy}.
 */
export interface CasePolicy {
  /**
   * Days after resolution during which the customer's objection reopens the case. No seed names a number: 7 days is
   * this platform's choice, the period the seeds give customers for after-sales steps (seed 001 "7天无条件退换货",
   * seed 002 §3 "请在7天内将商品寄回").
   */
  readonly reopenWindowDays: number;
  /**
   * Minutes a verification of the customer's identity stays good for sensitive order data (seed 000 §2.2 says to
   * verify, not for how long): 30 minutes, one conversation, is this platform's choice.
   */
  readonly identityVerificationMinutes: number;
}

/** The defaults every tenant starts with. */
export const defaultCasePolicy: CasePolicy = { reopenWindowDays: 7, identityVerificationMinutes: 30 };

/** Bounds of each setting, checked by the decider (and the HTTP schema). */
export const casePolicyBounds = {
  reopenWindowDays: { minimum: 1, maximum: 365 },
  identityVerificationMinutes: { minimum: 1, maximum: 24 * 60 },
} as const satisfies Record<keyof CasePolicy, { minimum: number; maximum: number }>;

/** Replaces the tenant's case policy. */
export type SetCasePolicy = Command<'SetCasePolicy', CasePolicy>;

/** The tenant's case policy changed (who, when, from what). */
export type CasePolicySet = {
  readonly type: 'CasePolicySet';
  readonly data: CasePolicy & {
    readonly tenant: string;
    readonly previous: CasePolicy;
    readonly at: string;
    readonly by: string;
  };
};

export type CasePolicyState =
  | { readonly status: 'default' }
  | { readonly status: 'set'; readonly policy: CasePolicy; readonly at: string; readonly by: string };

/** A setting outside its bounds. */
export class InvalidCasePolicy extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'CASE_POLICY.INVALID',
      'invalid',
      problems.join('; '),
      'Case policy settings are whole numbers within their bounds',
    );
  }
}

/** The policy a state stands for: the tenant's, or the defaults. */
export function casePolicyOf(state: CasePolicyState): CasePolicy {
  return state.status === 'set' ? state.policy : defaultCasePolicy;
}

function decide(command: SetCasePolicy, state: CasePolicyState): CasePolicySet[] {
  switch (command.type) {
    case 'SetCasePolicy': {
      const { reopenWindowDays, identityVerificationMinutes } = command.data;
      const requested: CasePolicy = { reopenWindowDays, identityVerificationMinutes };
      const problems = (Object.keys(casePolicyBounds) as Array<keyof CasePolicy>)
        .filter((key) => {
          const value = requested[key];
          const { minimum, maximum } = casePolicyBounds[key];
          return !Number.isInteger(value) || value < minimum || value > maximum;
        })
        .map(
          (key) =>
            `${key} must be a whole number from ${casePolicyBounds[key].minimum} to ${casePolicyBounds[key].maximum}`,
        );
      if (problems.length > 0) throw new InvalidCasePolicy(problems);
      const previous = casePolicyOf(state);
      if (
        state.status === 'set' &&
        previous.reopenWindowDays === reopenWindowDays &&
        previous.identityVerificationMinutes === identityVerificationMinutes
      ) {
        return [];
      }
      return [
        {
          type: 'CasePolicySet',
          data: {
            tenant: command.context.tenant,
            ...requested,
            previous,
            at: command.context.now.toISOString(),
            by: command.context.actor.id,
          },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(_state: CasePolicyState, event: CasePolicySet): CasePolicyState {
  switch (event.type) {
    case 'CasePolicySet': {
      const { reopenWindowDays, identityVerificationMinutes, at, by } = event.data;
      return { status: 'set', policy: { reopenWindowDays, identityVerificationMinutes }, at, by };
    }
    default:
      return assertNever(event.type);
  }
}

/** A tenant's case policy as a decider: one stream per tenant (`case-policy-<tenant>`). */
export const casePolicyDecider = {
  decide,
  evolve,
  initialState: (): CasePolicyState => ({ status: 'default' }),
} satisfies Decider<CasePolicyState, SetCasePolicy, CasePolicySet>;
