import { DEFAULT_BUSINESS_CALENDAR, validateBusinessCalendar, type BusinessCalendar } from '@aftersales/business-time';
import { assertNever, DomainError, type Command, type Decider } from '@aftersales/domain';

/**
 * A tenant's returns policy: the numbers of the return rules domain.md §2 leaves to each platform or shop, and what the
 * customer is told. Event-sourced, one stream per tenant; a tenant that never set one runs on
 * {@link defaultReturnsPolicy}.
 */
export interface ReturnsPolicy {
  /** Days from delivery during which a personal-reason return needs no reason (domain.md §2; seed 001 "7天无条件退换货"). */
  readonly noReasonWindowDays: number;
  /** Largest allowance offered to keep the goods, in percent of what was paid for the order (seed 003 §12: 30 %). */
  readonly allowanceMaxPercent: number;
  /** Largest allowance an agent offers alone, in minor units of the order's currency; above it a supervisor approves. */
  readonly agentAllowanceLimitMinor: number;
  /** The tenant's business hours: the inspection and refund deadlines count working time on it. */
  readonly calendar: BusinessCalendar;
  /**
   * Working hours from arrival within which returned goods are inspected (seed 000 §2.4 leaves "X"): 24 working hours,
   * under two days of the default calendar's 13 h 30 a day, is this platform's choice.
   */
  readonly inspectionWorkingHours: number;
  /**
   * Working hours from receipt (or, without a return, from eligibility confirmed) within which the refund is paid: the
   * seeds say 3–5 working days (seed 002 §3); 40 working hours is three days of the default calendar.
   */
  readonly refundCompletionWorkingHours: number;
  /** Hours within which a same-specification replacement ships (domain.md §2: 24 h). */
  readonly replacementShipWithinHours: number;
  /** Working hours a repair takes at most once work starts: 3–5 working days (seed 003 §8), 40 working hours. */
  readonly repairWorkingHours: number;
  /** How a customer objects to a refusal, told with every refusal (domain.md §7). */
  readonly objectionRoute: string;
  /** Reference of the tenant's return address (warehouse) goods are shipped back to. */
  readonly returnAddressRef: string;
  /** Return shipping method told to the customer. */
  readonly returnMethod: string;
  /** Packaging instructions told to the customer. */
  readonly packagingInstructions: string;
  /**
   * The tenant's own supervisor webhook for breached deadlines (domain.md §2: a breach notifies the supervisor); `null`:
   * the operator's (`RETURNS_NOTIFIER_WEBHOOK_URL`). Its host must be on the operator's allow-list
   * (`RETURNS_NOTIFIER_ALLOWED_HOSTS`), checked when saved and before every call.
   */
  readonly supervisorWebhookUrl: string | null;
}

/** The defaults every tenant starts with. */
export const defaultReturnsPolicy: ReturnsPolicy = {
  noReasonWindowDays: 7,
  allowanceMaxPercent: 30,
  agentAllowanceLimitMinor: 5_000,
  calendar: DEFAULT_BUSINESS_CALENDAR,
  inspectionWorkingHours: 24,
  refundCompletionWorkingHours: 40,
  replacementShipWithinHours: 24,
  repairWorkingHours: 40,
  objectionRoute: 'Reply on your after-sales case within 7 days to ask for a supervisor review',
  returnAddressRef: 'warehouse:default',
  returnMethod: 'carrier_pickup',
  packagingInstructions: 'Original packaging with tags attached where available',
  supervisorWebhookUrl: null,
};

/** Bounds of the numeric settings, checked by the decider (and the HTTP schema). */
export const returnsPolicyBounds = {
  noReasonWindowDays: { minimum: 0, maximum: 365 },
  allowanceMaxPercent: { minimum: 0, maximum: 100 },
  agentAllowanceLimitMinor: { minimum: 0, maximum: 100_000_000 },
  inspectionWorkingHours: { minimum: 1, maximum: 24 * 30 },
  refundCompletionWorkingHours: { minimum: 1, maximum: 24 * 30 },
  replacementShipWithinHours: { minimum: 1, maximum: 24 * 30 },
  repairWorkingHours: { minimum: 1, maximum: 24 * 30 },
} as const;

export type SetReturnsPolicy = Command<'SetReturnsPolicy', ReturnsPolicy>;

export type ReturnsPolicySet = {
  readonly type: 'ReturnsPolicySet';
  readonly data: ReturnsPolicy & { readonly tenant: string; readonly at: string; readonly by: string };
};

export type ReturnsPolicyState =
  | { readonly status: 'default' }
  | { readonly status: 'set'; readonly policy: ReturnsPolicy; readonly at: string; readonly by: string };

export class InvalidReturnsPolicy extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'RETURNS_POLICY.INVALID',
      'invalid',
      problems.join('; '),
      'Returns policy numbers are whole numbers within their bounds',
    );
  }
}

export function returnsPolicyOf(state: ReturnsPolicyState): ReturnsPolicy {
  return state.status === 'set' ? state.policy : defaultReturnsPolicy;
}

const sameAs = (a: ReturnsPolicy, b: ReturnsPolicy) =>
  (Object.keys(defaultReturnsPolicy) as Array<keyof ReturnsPolicy>).every(
    (key) => JSON.stringify(a[key]) === JSON.stringify(b[key]),
  );

function decide(command: SetReturnsPolicy, state: ReturnsPolicyState): ReturnsPolicySet[] {
  switch (command.type) {
    case 'SetReturnsPolicy': {
      const policy: ReturnsPolicy = { ...command.data };
      const problems = (Object.keys(returnsPolicyBounds) as Array<keyof typeof returnsPolicyBounds>)
        .filter((key) => {
          const { minimum, maximum } = returnsPolicyBounds[key];
          return !Number.isInteger(policy[key]) || policy[key] < minimum || policy[key] > maximum;
        })
        .map(
          (key) =>
            `${key} must be a whole number from ${returnsPolicyBounds[key].minimum} to ${returnsPolicyBounds[key].maximum}`,
        );
      problems.push(...validateBusinessCalendar(policy.calendar).map((e) => `calendar${e.pointer}: ${e.detail}`));
      if (problems.length > 0) throw new InvalidReturnsPolicy(problems);
      if (state.status === 'set' && sameAs(state.policy, policy)) return [];
      const { now, tenant, actor } = command.context;
      return [{ type: 'ReturnsPolicySet', data: { ...policy, tenant, at: now.toISOString(), by: actor.id } }];
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(_state: ReturnsPolicyState, event: ReturnsPolicySet): ReturnsPolicyState {
  switch (event.type) {
    case 'ReturnsPolicySet': {
      const { tenant: _tenant, at, by, ...policy } = event.data;
      // Policies saved before a setting existed read it as its default (a webhook: none, the operator's).
      return { status: 'set', policy: { ...defaultReturnsPolicy, ...policy }, at, by };
    }
    default:
      return assertNever(event.type);
  }
}

/** A tenant's returns policy as a decider: one stream per tenant (`returns-policy-<tenant>`). */
export const returnsPolicyDecider = {
  decide,
  evolve,
  initialState: (): ReturnsPolicyState => ({ status: 'default' }),
} satisfies Decider<ReturnsPolicyState, SetReturnsPolicy, ReturnsPolicySet>;
