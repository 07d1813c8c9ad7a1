import { Body, Controller, Headers, HttpCode, Inject, Post, UnauthorizedException } from '@nestjs/common';
import { ProblemDetails, Public, Responds, SchemaPipe } from '@aftersales/platform-http';
import { Type } from '@sinclair/typebox';
import { COMPENSATION_CONFIG, type CompensationConfig } from '../../application/compensation.config';
import { PayoutReports } from '../../application/payout-reports';
import { payoutOrigin } from '../../application/payouts';
import { SIGNATURE_HEADER, verifySignature } from '../payment/payment-signature';
import { ProviderConfirmationBody, ProviderNotificationBody } from './compensation.schemas';

const Acknowledged = Type.Object({ received: Type.Boolean() }, { title: 'ProviderConfirmationAck' });

/**
 * The payment provider's asynchronous confirmation webhook: no bearer token, a signature instead (HMAC-SHA256 with the
 * shared secret over the body, `x-payment-signature`); 401 when it does not verify. A payout unknown in the named
 * tenant is acknowledged and ignored (the provider would otherwise retry forever); a confirmation twice is a no-op.
 * A webhook carries one report or several (`{ reports }`, ADR 40). Answered once its reports are committed, with the
 * other reports arriving meanwhile ({@link PayoutReports}); if one of them fails, with that failure once the others
 * are settled: the provider sends the webhook again, and the reports already recorded are no-ops then.
 */
@Controller('payment-provider')
export class PaymentProviderHttpController {
  constructor(
    @Inject(PayoutReports) private readonly reports: PayoutReports,
    @Inject(COMPENSATION_CONFIG) private readonly config: CompensationConfig,
  ) {}

  @Post('confirmations')
  @Public()
  @HttpCode(200)
  @Responds(200, Acknowledged)
  @Responds(401, ProblemDetails, { description: 'The signature does not verify' })
  async confirm(
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Body(new SchemaPipe(ProviderNotificationBody)) body: ProviderNotificationBody,
  ): Promise<{ received: boolean }> {
    if (!verifySignature(this.config.webhookSecret, JSON.stringify(body), signature, Date.now()))
      throw new UnauthorizedException('The confirmation is not signed by the payment provider');
    const reports = 'reports' in body ? body.reports : [body];
    const outcomes = await Promise.allSettled(reports.map((report) => this.record(report)));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    return { received: true };
  }

  private async record(body: ProviderConfirmationBody): Promise<void> {
    if (body.status === 'pending') return;
    const { tenant, compensationId } = body.metadata;
    await this.reports.submit({
      origin: payoutOrigin(tenant, compensationId, `provider:${body.reference}:${body.status}`),
      tenant,
      compensationId,
      payoutKey: body.payoutKey,
      report:
        body.status === 'confirmed'
          ? {
              status: 'confirmed',
              providerReference: body.reference,
              paymentChannel: body.paymentChannel ?? 'unknown',
              confirmedAt: body.confirmedAt ?? new Date().toISOString(),
            }
          : { status: 'failed', providerReference: body.reference, error: body.error ?? 'failed at the provider' },
    });
  }
}
