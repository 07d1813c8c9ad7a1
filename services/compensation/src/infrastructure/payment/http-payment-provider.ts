import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type {
  PaymentProvider,
  PayoutInstruction,
  ProviderPayoutStatus,
  ProviderSendResult,
} from '../../application/compensation.ports';
import type { CompensationConfig } from '../../application/compensation.config';

/** The provider answered with an error, or not in time: the payout attempt failed (it may be retried). */
export class PaymentProviderError extends Error {}

/**
 * The payment-provider port over HTTP (the local sandbox speaks it): `POST /payouts` with the payout key as
 * `Idempotency-Key` (a repeated key answers the payout the provider already has, never a second one) and the URL its
 * signed confirmation webhook goes to; `POST /payout-batches` with up to `providerBatchSize` payouts, each under its own
 * key, answered payout by payout (ADR 42); `GET /payouts/:key` to reconcile.
 *
 * Over `node:http` with a keep-alive agent (connections reused across calls, up to {@link MAX_CONNECTIONS} at once:
 * the attempts of a timer transaction are sent side by side) rather than `fetch`, whose streams cost several times
 * the CPU per call.
 */
export class HttpPaymentProvider implements PaymentProvider {
  private readonly url: URL;
  private readonly agent: HttpAgent;

  constructor(private readonly config: CompensationConfig) {
    this.url = new URL(config.providerUrl);
    const options = { keepAlive: true, maxSockets: MAX_CONNECTIONS, maxFreeSockets: MAX_CONNECTIONS };
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  }

  /** Where the provider sends its signed confirmations of the payouts this service asks for. */
  private get callbackUrl(): string {
    return `${this.config.publicUrl}/payment-provider/confirmations`;
  }

  /** Closes the kept-alive connections (shutdown). */
  onApplicationShutdown(): void {
    this.agent.destroy();
  }

  async send(payout: PayoutInstruction): Promise<{ providerReference: string }> {
    const body = { amount: payout.amount, callbackUrl: this.callbackUrl, metadata: metadataOf(payout) };
    const res = await this.call('POST', '/payouts', body, { 'idempotency-key': payout.payoutKey });
    if (res.status !== 200 && res.status !== 201 && res.status !== 202)
      throw new PaymentProviderError(`provider answered ${res.status}: ${res.text.slice(0, 200)}`);
    const answer = JSON.parse(res.text) as { reference?: unknown };
    if (typeof answer.reference !== 'string') throw new PaymentProviderError('provider answered no reference');
    return { providerReference: answer.reference };
  }

  /**
   * The payouts in batches of at most `providerBatchSize`, the batches side by side (a batch size of 1: each payout
   * alone through {@link send}). A batch the provider refused, or that failed or timed out as a whole, fails each of its
   * payouts with that reason: a retry sends them again under the same keys, so any the provider made meanwhile are
   * answered, never made twice.
   */
  async sendMany(payouts: readonly PayoutInstruction[]): Promise<readonly ProviderSendResult[]> {
    const size = this.config.providerBatchSize;
    if (size === 1 || payouts.length === 1)
      return Promise.all(
        payouts.map((payout) => this.send(payout).catch((error: Error) => ({ error: error.message }))),
      );
    const batches: Array<Promise<readonly ProviderSendResult[]>> = [];
    for (let i = 0; i < payouts.length; i += size) batches.push(this.sendBatch(payouts.slice(i, i + size)));
    return (await Promise.all(batches)).flat();
  }

  private async sendBatch(payouts: readonly PayoutInstruction[]): Promise<readonly ProviderSendResult[]> {
    const body = {
      callbackUrl: this.callbackUrl,
      payouts: payouts.map((p) => ({ idempotencyKey: p.payoutKey, amount: p.amount, metadata: metadataOf(p) })),
    };
    let results: readonly BatchResult[];
    try {
      const res = await this.call('POST', '/payout-batches', body);
      if (res.status !== 200)
        throw new PaymentProviderError(`provider answered ${res.status}: ${res.text.slice(0, 200)}`);
      const answer = JSON.parse(res.text) as { results?: unknown };
      if (!Array.isArray(answer.results) || answer.results.length !== payouts.length)
        throw new PaymentProviderError('provider answered a batch without one result per payout');
      results = answer.results as BatchResult[];
    } catch (error) {
      const failure = { error: (error as Error).message };
      return payouts.map(() => failure);
    }
    return payouts.map((payout, i) => {
      const result = results[i]!;
      if (result.idempotencyKey !== payout.payoutKey)
        return { error: `provider answered the batch out of order (${String(result.idempotencyKey)})` };
      if ((result.status === 200 || result.status === 202) && typeof result.reference === 'string')
        return { providerReference: result.reference };
      return { error: `provider answered ${String(result.status)}: ${String(result.error ?? 'no reference')}` };
    });
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

  private async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const sent = await this.exchange(method, path, payload, headers);
    // A kept-alive connection the provider closed just as it was reused: the request never arrived, ask again once
    // (safe: every call is idempotent, by its key or as a read).
    if ('stale' in sent) return this.exchange(method, path, payload, headers).then(throwStale);
    return sent;
  }

  private exchange(
    method: string,
    path: string,
    payload: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string } | { stale: Error }> {
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const base = this.url.pathname.replace(/\/$/, '');
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(new PaymentProviderError(`provider unreachable: ${error.message}`));
      const req = send(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: `${base}${path}`,
          method,
          agent: this.agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            ...headers,
          },
          signal: AbortSignal.timeout(this.config.providerTimeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', failed);
          res.on('close', () => {
            if (!res.complete) failed(new Error('the connection closed before the whole answer arrived'));
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && error.code === 'ECONNRESET') resolve({ stale: error });
        else failed(error);
      });
      req.end(payload);
    });
  }
}

/** What the provider keeps of a payout for the merchant (echoed in its reports). */
const metadataOf = (payout: PayoutInstruction) => ({ tenant: payout.tenant, compensationId: payout.compensationId });

/** One payout's answer in a batch's `results`, in the order the payouts were sent. */
interface BatchResult {
  readonly idempotencyKey?: unknown;
  readonly status?: unknown;
  readonly reference?: unknown;
  readonly error?: unknown;
}

const throwStale = (sent: { status: number; text: string } | { stale: Error }) => {
  if ('stale' in sent) throw new PaymentProviderError(`provider unreachable: ${sent.stale.message}`);
  return sent;
};

/** Connections to the provider at most (sockets of the keep-alive agent). */
const MAX_CONNECTIONS = 128;
