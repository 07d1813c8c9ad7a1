import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, freePort, startTestService, type TestService } from '@aftersales/test-kit';
import { startPaymentSandbox, type RunningSandbox } from '../../sandbox/payment-sandbox';
import { compensationService } from '../compensation.module';

export const WEBHOOK_SECRET = 'test-payment-webhook-secret';

/**
 * Body of `POST /compensations` for a cash payout the customer consented to, caused by a new case: within a
 * supervisor's limit it is approved and paid at once.
 */
export const consentedCashPayout = (amountMinor: number) => ({
  cause: { kind: 'case', id: randomUUID() },
  instrument: 'cash',
  amount: { amountMinor, currency: 'CNY' },
  customerConsented: true,
});

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

/**
 * The payment sandbox as its own process (`sandbox/main.ts`, as `npm start` runs it), durable in `dataFile`, so a
 * fault test can SIGKILL it and start it again with its payouts.
 */
export class SandboxProcess {
  private child: ChildProcess | null = null;
  readonly url: string;

  constructor(
    readonly port: number,
    private readonly dataFile: string,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const main = join(__dirname, '..', '..', 'sandbox', 'main.ts');
    const log = openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        PORT: String(this.port),
        SANDBOX_DATA_FILE: this.dataFile,
        COMPENSATION_PROVIDER_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      stdio: ['ignore', log, log],
    });
    await eventually(
      async () =>
        (await fetch(`${this.url}/health`)
          .then((r) => r.ok)
          .catch(() => false))
          ? true
          : undefined,
      'the payment sandbox to listen',
      60_000,
    );
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
