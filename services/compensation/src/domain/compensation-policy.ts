import { assertNever, DomainError, type Command, type Decider } from '@aftersales/domain';

/**
 * What a customer may be given (domain.md §4; seed 003, seed 004 §4.3.2): money paid through the payment provider
 * (refunds, the retention allowance that keeps the goods, cash, extra shipping paid back) or something issued (a
 * coupon, a gift, free shipping on the next order, an extended warranty, priority handling).
 */
export const Instruments = [
  'coupon',
  'gift',
  'partial_refund',
  'full_refund',
  'allowance',
  'cash',
  'shipping_refund',
  'free_shipping',
  'extended_warranty',
  'priority_handling',
] as const;
export type Instrument = (typeof Instruments)[number];

/** Instruments paid to the customer's payment channel through the payment provider. */
export const PaidInstruments: readonly Instrument[] = [
  'partial_refund',
  'full_refund',
  'allowance',
  'cash',
  'shipping_refund',
];
/** Money back on the customer's order: together never more than what was paid for it. */
export const MoneyBackInstruments: readonly Instrument[] = ['partial_refund', 'full_refund', 'allowance'];

/** The roles that approve, lowest first (domain.md §4: agent < supervisor < manager < director). */
export const ApproverRoles = ['agent', 'supervisor', 'cs-manager', 'cs-director'] as const;
export type ApproverRole = (typeof ApproverRoles)[number];

export const roleRank = (role: ApproverRole): number => ApproverRoles.indexOf(role);

/** The highest approving role among a caller's roles, `null` when none approves. */
export function approverRoleOf(roles: readonly string[]): ApproverRole | null {
  const ranked = ApproverRoles.filter((role) => roles.includes(role));
  return ranked[ranked.length - 1] ?? null;
}

/** Per role and instrument: the largest amount (minor units) that role approves alone. */
export type ApprovalMatrix = Readonly<Record<ApproverRole, Readonly<Record<Instrument, number>>>>;

/**
 * A tenant's compensation policy (`PUT /compensation-policies`): the numbers domain.md §4 and the seeds leave to each
 * platform or shop. Amounts in minor units of `currency`.
 */
export interface CompensationPolicy {
  /** The currency of the tenant's budgets and limits. */
  readonly currency: string;
  /** Instruments the tenant offers at all. */
  readonly instruments: readonly Instrument[];
  /** The apology coupon's value when none is named (seed 004 §4.2.3: 50 units). */
  readonly couponAmountMinor: number;
  /** The extended warranty's months (seed 004 §6.2: +6 months). */
  readonly warrantyExtensionMonths: number;
  /** Orders of at least this many items get the large-order discount (seed 003: 5). */
  readonly largeOrderMinItems: number;
  /** Discount on a large order an agent gives (seed 003: 10 %); more needs a supervisor. */
  readonly largeOrderDiscountPercent: number;
  /** Largest retention allowance, in percent of the order value (seed 003 §12: 30 %). */
  readonly retentionAllowanceMaxPercent: number;
  /** Limits per role and instrument. */
  readonly approvalMatrix: ApprovalMatrix;
  /** Hours a request waits for its approver before it expires. */
  readonly approvalExpiryHours: number;
  /** Hours an approved offer waits for the customer's answer before it expires. */
  readonly offerExpiryHours: number;
  /** The tenant's compensation budget per calendar month (UTC). */
  readonly monthlyBudgetMinor: number;
  /** The emergency fund of a level 1 and a level 2 incident (seed 004 §6.3). */
  readonly emergencyFundMinor: { readonly L1: number; readonly L2: number };
}

const limits = (scale: number, top?: number): Record<Instrument, number> => {
  const base: Record<Instrument, number> = {
    coupon: 5_000,
    gift: 10_000,
    partial_refund: 5_000,
    full_refund: 20_000,
    allowance: 5_000,
    cash: 5_000,
    shipping_refund: 2_000,
    free_shipping: 2_000,
    extended_warranty: 0,
    priority_handling: 0,
  };
  return Object.fromEntries(Instruments.map((i) => [i, top ?? base[i] * scale])) as Record<Instrument, number>;
};

/** The defaults every tenant starts with. */
export const defaultCompensationPolicy: CompensationPolicy = {
  currency: 'CNY',
  instruments: Instruments,
  couponAmountMinor: 5_000,
  warrantyExtensionMonths: 6,
  largeOrderMinItems: 5,
  largeOrderDiscountPercent: 10,
  retentionAllowanceMaxPercent: 30,
  approvalMatrix: {
    agent: limits(1),
    supervisor: limits(4),
    'cs-manager': limits(20),
    'cs-director': limits(0, 100_000_000),
  },
  approvalExpiryHours: 48,
  offerExpiryHours: 72,
  monthlyBudgetMinor: 10_000_000,
  emergencyFundMinor: { L1: 50_000_000, L2: 10_000_000 },
};

export type SetCompensationPolicy = Command<'SetCompensationPolicy', CompensationPolicy>;
export type CompensationPolicySet = {
  readonly type: 'CompensationPolicySet';
  readonly data: CompensationPolicy & { readonly tenant: string; readonly at: string; readonly by: string };
};
export type CompensationPolicyState =
  | { readonly status: 'default' }
  | { readonly status: 'set'; readonly policy: CompensationPolicy; readonly at: string; readonly by: string };

export class InvalidCompensationPolicy extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'COMPENSATION_POLICY.INVALID',
      'invalid',
      problems.join('; '),
      'Amounts are whole minor units; every role approves at least what the role below it approves',
    );
  }
}

export function compensationPolicyOf(state: CompensationPolicyState): CompensationPolicy {
  return state.status === 'set' ? state.policy : defaultCompensationPolicy;
}

const MAX_MINOR = 1_000_000_000_000;
const whole = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** What is wrong with a policy (empty when nothing). */
export function policyProblems(policy: CompensationPolicy): string[] {
  const problems: string[] = [];
  const amounts: Array<[string, number, number, number]> = [
    ['couponAmountMinor', policy.couponAmountMinor, 1, MAX_MINOR],
    ['warrantyExtensionMonths', policy.warrantyExtensionMonths, 1, 120],
    ['largeOrderMinItems', policy.largeOrderMinItems, 2, 10_000],
    ['largeOrderDiscountPercent', policy.largeOrderDiscountPercent, 0, 100],
    ['retentionAllowanceMaxPercent', policy.retentionAllowanceMaxPercent, 0, 100],
    ['approvalExpiryHours', policy.approvalExpiryHours, 1, 24 * 90],
    ['offerExpiryHours', policy.offerExpiryHours, 1, 24 * 90],
    ['monthlyBudgetMinor', policy.monthlyBudgetMinor, 0, MAX_MINOR],
    ['emergencyFundMinor.L1', policy.emergencyFundMinor.L1, 0, MAX_MINOR],
    ['emergencyFundMinor.L2', policy.emergencyFundMinor.L2, 0, MAX_MINOR],
  ];
  for (const [name, value, min, max] of amounts)
    if (!whole(value, min, max)) problems.push(`${name} must be a whole number from ${min} to ${max}`);
  for (const instrument of Instruments) {
    ApproverRoles.forEach((role, rank) => {
      const limit = policy.approvalMatrix[role][instrument];
      if (!whole(limit, 0, MAX_MINOR)) problems.push(`approvalMatrix.${role}.${instrument} must be whole minor units`);
      const lower = rank > 0 ? policy.approvalMatrix[ApproverRoles[rank - 1] as ApproverRole][instrument] : 0;
      if (limit < lower)
        problems.push(`approvalMatrix.${role}.${instrument} is below the ${ApproverRoles[rank - 1]}'s limit`);
    });
  }
  return problems;
}

function decide(command: SetCompensationPolicy, state: CompensationPolicyState): CompensationPolicySet[] {
  switch (command.type) {
    case 'SetCompensationPolicy': {
      const policy: CompensationPolicy = { ...command.data };
      const problems = policyProblems(policy);
      if (problems.length > 0) throw new InvalidCompensationPolicy(problems);
      if (state.status === 'set' && JSON.stringify(state.policy) === JSON.stringify(policy)) return [];
      const { now, tenant, actor } = command.context;
      return [{ type: 'CompensationPolicySet', data: { ...policy, tenant, at: now.toISOString(), by: actor.id } }];
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(_state: CompensationPolicyState, event: CompensationPolicySet): CompensationPolicyState {
  switch (event.type) {
    case 'CompensationPolicySet': {
      const { tenant: _tenant, at, by, ...policy } = event.data;
      return { status: 'set', policy, at, by };
    }
    default:
      return assertNever(event.type);
  }
}

/** A tenant's compensation policy: one stream per tenant (`compensation-policy-<tenant>`). */
export const compensationPolicyDecider = {
  decide,
  evolve,
  initialState: (): CompensationPolicyState => ({ status: 'default' }),
} satisfies Decider<CompensationPolicyState, SetCompensationPolicy, CompensationPolicySet>;
