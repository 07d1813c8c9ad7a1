export const COMPENSATION_CONFIG = Symbol('COMPENSATION_CONFIG');

/** The operator's settings of the service (environment), as opposed to tenants' policies. */
export interface CompensationConfig {
  /** Base URL of the payment provider (the local sandbox under `npm start`). */
  readonly providerUrl: string;
  /** Shared secret of the provider's webhook signatures (HMAC-SHA256). */
  readonly webhookSecret: string;
  /** Where the provider sends confirmations: this service's base URL. */
  readonly publicUrl: string;
  readonly providerTimeoutMs: number;
  /**
   * Payouts sent to the provider in one request at most (`POST /payout-batches`, ADR 42); 1 sends each alone
   * (`POST /payouts`), for a provider without batches.
   */
  readonly providerBatchSize: number;
  /** Attempts of a payout before it goes to manual review. */
  readonly payoutMaxAttempts: number;
  /** Backoff of a failed payout: base × 2^(attempt − 1). */
  readonly payoutRetryBaseMs: number;
  /** How long after sending a payout the provider is asked for it when no confirmation came (reconciliation). */
  readonly confirmationTimeoutMs: number;
  /** Slices each budget is kept in (ADR 17): approvals of one budget lock one slice each, not the whole budget. */
  readonly budgetSlices: number;
  /** Loops of the timer worker firing payouts side by side (each holds a connection while the provider answers). */
  readonly timerLoops: number;
  /**
   * Due timers one timer transaction claims: its payout attempts are sent to the provider side by side and recorded
   * with one commit.
   */
  readonly timersPerTransaction: number;
  /** The provider's reports (webhook calls) recorded by one transaction at most (group commit). */
  readonly reportsPerTransaction: number;
  readonly timerPollMs: number;
  readonly timerRetryBaseMs: number;
  readonly timerRetryMaxMs: number;
}

/** The most payouts the provider protocol takes in one batch (the sandbox refuses more). */
export const MAX_PROVIDER_BATCH = 1_000;

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
  return value;
};

function providerBatchSize(): number {
  const size = Math.max(1, int('COMPENSATION_PROVIDER_BATCH_SIZE', 100));
  if (size > MAX_PROVIDER_BATCH)
    throw new Error(
      `COMPENSATION_PROVIDER_BATCH_SIZE must be at most ${MAX_PROVIDER_BATCH} (the provider's largest batch), got ${size}`,
    );
  return size;
}

export function compensationConfigFromEnv(): CompensationConfig {
  const port = process.env.PORT ?? '3006';
  return {
    providerUrl: process.env.COMPENSATION_PROVIDER_URL ?? 'http://127.0.0.1:3016',
    webhookSecret: process.env.COMPENSATION_PROVIDER_WEBHOOK_SECRET ?? 'local-payment-sandbox-secret',
    publicUrl: process.env.COMPENSATION_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    providerTimeoutMs: int('COMPENSATION_PROVIDER_TIMEOUT_MS', 5_000),
    providerBatchSize: providerBatchSize(),
    payoutMaxAttempts: Math.max(1, int('COMPENSATION_PAYOUT_MAX_ATTEMPTS', 5)),
    payoutRetryBaseMs: int('COMPENSATION_PAYOUT_RETRY_BASE_MS', 2_000),
    confirmationTimeoutMs: int('COMPENSATION_CONFIRMATION_TIMEOUT_MS', 30_000),
    budgetSlices: Math.max(1, int('COMPENSATION_BUDGET_SLICES', 16)),
    timerLoops: Math.max(1, int('COMPENSATION_TIMER_LOOPS', 4)),
    timersPerTransaction: Math.max(1, int('COMPENSATION_TIMERS_PER_TRANSACTION', 20)),
    reportsPerTransaction: Math.max(1, int('COMPENSATION_REPORTS_PER_TRANSACTION', 50)),
    timerPollMs: int('COMPENSATION_TIMER_POLL_MS', 250),
    timerRetryBaseMs: int('COMPENSATION_TIMER_RETRY_BASE_MS', 1_000),
    timerRetryMaxMs: int('COMPENSATION_TIMER_RETRY_MAX_MS', 300_000),
  };
}
