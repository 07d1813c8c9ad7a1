import type { PaymentProvider, PayoutInstruction, ProviderPayoutStatus } from '../../application/compensation.ports';
import type { CompensationConfig } from '../../application/compensation.config';

/** The provider answered with an error, or not in time: the payout attempt failed (it may be retried). */
export class PaymentProviderError extends Error {}

/**
 * The payment-provider port over HTTP (the local sandbox speaks it): `POST /payouts` with the payout key as
 * `Idempotency-Key` (a repeated key answers the payout the provider already has, never a second one) and the URL its
 * signed confirmation webhook goes to; `GET /payouts/:key` to reconcile.
 */
export class HttpPaymentProvider implements PaymentProvider {
  constructor(private readonly config: CompensationConfig) {}

  async send(payout: PayoutInstruction): Promise<{ providerReference: string }> {
    const body = {
      amount: payout.amount,
      callbackUrl: `${this.config.publicUrl}/payment-provider/confirmations`,
      metadata: { tenant: payout.tenant, compensationId: payout.compensationId },
    };
    const res = await this.call('POST', '/payouts', body, { 'idempotency-key': payout.payoutKey });
    if (res.status !== 200 && res.status !== 201 && res.status !== 202)
      throw new PaymentProviderError(`provider answered ${res.status}: ${res.text.slice(0, 200)}`);
    const answer = JSON.parse(res.text) as { reference?: unknown };
    if (typeof answer.reference !== 'string') throw new PaymentProviderError('provider answered no reference');
    return { providerReference: answer.reference };
  }

  async status(payoutKey: string): Promise<ProviderPayoutStatus> {
    const res = await this.call('GET', `/payouts/${encodeURIComponent(payoutKey)}`);
    if (res.status === 404) return { status: 'unknown' };
    if (res.status !== 200) throw new PaymentProviderError(`provider answered ${res.status}`);
    const p = JSON.parse(res.text) as {
      reference: string;
      status: 'pending' | 'confirmed' | 'failed';
      paymentChannel?: string;
      confirmedAt?: string;
      error?: string;
    };
    if (p.status === 'confirmed')
      return {
        status: 'confirmed',
        providerReference: p.reference,
        paymentChannel: p.paymentChannel ?? 'unknown',
        confirmedAt: p.confirmedAt ?? new Date().toISOString(),
      };
    if (p.status === 'failed') return { status: 'failed', providerReference: p.reference, error: p.error ?? 'failed' };
    return { status: 'pending', providerReference: p.reference };
  }

  private async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    try {
      const res = await fetch(`${this.config.providerUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.config.providerTimeoutMs),
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      throw new PaymentProviderError(`provider unreachable: ${(error as Error).message}`);
    }
  }
}
