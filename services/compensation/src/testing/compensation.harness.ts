import { freePort, startTestService, type TestService } from '@aftersales/test-kit';
import { startPaymentSandbox, type RunningSandbox } from '../../sandbox/payment-sandbox';
import { compensationService } from '../compensation.module';

export const WEBHOOK_SECRET = 'test-payment-webhook-secret';

/** Compensation in-process on real Postgres and Kafka, paying through a real payment sandbox on a free port. */
export async function startCompensationWithSandbox(
  env: Record<string, string> = {},
): Promise<{ service: TestService; sandbox: RunningSandbox }> {
  const sandbox = await startPaymentSandbox({ port: 0, secret: WEBHOOK_SECRET });
  const port = await freePort();
  const service = await startTestService(compensationService, {
    config: { port },
    env: {
      COMPENSATION_PROVIDER_URL: sandbox.url,
      COMPENSATION_PUBLIC_URL: `http://127.0.0.1:${port}`,
      COMPENSATION_PROVIDER_WEBHOOK_SECRET: WEBHOOK_SECRET,
      COMPENSATION_PROVIDER_TIMEOUT_MS: '1000',
      COMPENSATION_PAYOUT_MAX_ATTEMPTS: '3',
      COMPENSATION_PAYOUT_RETRY_BASE_MS: '100',
      COMPENSATION_CONFIRMATION_TIMEOUT_MS: '1500',
      COMPENSATION_TIMER_POLL_MS: '50',
      COMPENSATION_TIMER_RETRY_BASE_MS: '200',
      COMPENSATION_TIMER_RETRY_MAX_MS: '1000',
      ...env,
    },
  });
  return { service, sandbox };
}
