import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { signDevToken } from '@aftersales/platform-http';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '@aftersales/testing';
import { eventually, freePort, ServiceProcess } from '@aftersales/test-kit';
import { SandboxProcess, WEBHOOK_SECRET } from '../src/testing/compensation.harness';

/** Payouts of the run: COMPENSATION_FAULT_PAYOUTS (CI keeps it small; the full run is 10 000, see the README). */
const PAYOUTS = Number(process.env.COMPENSATION_FAULT_PAYOUTS ?? 40);
const AMOUNT = 100;
/** Concurrent senders of payout requests (COMPENSATION_FAULT_SENDERS). */
const SENDERS = Number(process.env.COMPENSATION_FAULT_SENDERS ?? 4);
/**
 * How long a restarted compensation may take to become ready (COMPENSATION_FAULT_START_TIMEOUT_MS): a long run on a
 * saturated machine starves the tsx start-up of CPU.
 */
const START_TIMEOUT_MS = Number(process.env.COMPENSATION_FAULT_START_TIMEOUT_MS ?? 100_000);
/** Time each process gets to work between two kills (COMPENSATION_FAULT_INTERVAL_MS). */
const INTERVAL_MS = Number(process.env.COMPENSATION_FAULT_INTERVAL_MS ?? 1_500);

// CONTEXT: issue 12's fault test. Compensation (its real main.ts) and the payment sandbox run as processes; payouts
// are requested while both are SIGKILLed and restarted in turn. Afterwards: no payout paid twice (the sandbox holds one
// payout per key and counts any second one; the ledger books at most one payout per order), none lost (every request
// is an order, every order confirmed or in manual review, every payout the provider confirmed is paid in the books),
// and the ledger balanced to the unit.
describe(`compensation under faults: ${PAYOUTS} payouts while compensation and the payment sandbox are SIGKILLed`, () => {
  const secret = 'fault-secret';
  const tenant = uniqueName('fault');
  let db: TestDatabase;
  let pool: Pool;
  let service: ServiceProcess;
  let sandbox: SandboxProcess;
  let token: string;
  /** Set when the test ends (or fails): the senders stop asking. */
  let stopped = false;

  beforeAll(async () => {
    db = await createTestDatabase('fault_compensation');
    pool = new Pool({ connectionString: db.url, max: 2 });
    const sandboxPort = await freePort();
    const servicePort = await freePort();
    const run = randomBytes(4).toString('hex');
    sandbox = new SandboxProcess(
      sandboxPort,
      join(tmpdir(), `payment-sandbox-${run}.jsonl`),
      join(tmpdir(), `payment-sandbox-${run}.log`),
    );
    service = new ServiceProcess('compensation', servicePort, {
      DATABASE_URL: db.url,
      DATABASE_NAME: db.name,
      AUTH_JWT_SECRET: secret,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_CONSUMER_GROUP_PREFIX: `${uniqueName('fault')}.`,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      LOG_LEVEL: 'warn',
      COMPENSATION_PROVIDER_URL: sandbox.url,
      COMPENSATION_PUBLIC_URL: `http://127.0.0.1:${servicePort}`,
      COMPENSATION_PROVIDER_WEBHOOK_SECRET: WEBHOOK_SECRET,
      COMPENSATION_PROVIDER_TIMEOUT_MS: '2000',
      COMPENSATION_PAYOUT_MAX_ATTEMPTS: '8',
      COMPENSATION_PAYOUT_RETRY_BASE_MS: '250',
      COMPENSATION_CONFIRMATION_TIMEOUT_MS: '2000',
      COMPENSATION_TIMER_POLL_MS: '50',
      COMPENSATION_TIMER_RETRY_BASE_MS: '250',
      COMPENSATION_TIMER_RETRY_MAX_MS: '2000',
    });
    await Promise.all([sandbox.start(), service.start()]);
    token = await signDevToken({ subject: 'sup-1', tenant, roles: ['supervisor'] }, secret);
  });

  afterAll(async () => {
    stopped = true;
    await service?.stop();
    await sandbox?.kill();
    await pool?.end();
    await db?.drop();
  });

  /** One payout asked until the service answers (it may be down): the same cause finds the same order. */
  const requestPayout = async (causeId: string): Promise<void> => {
    while (!stopped) {
      const res = await fetch(`${service.url}/compensations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          cause: { kind: 'case', id: causeId },
          instrument: 'cash',
          amount: { amountMinor: AMOUNT, currency: 'CNY' },
          customerConsented: true,
        }),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => null);
      if (res?.status === 201) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('pays nothing twice, loses nothing, balances the ledger; every payout confirmed or in manual review', async () => {
    const causes = Array.from({ length: PAYOUTS }, () => randomUUID());
    let next = 0;
    const started = Date.now();
    // Approvals lock one slice of the month budget each (ADR 17), so senders no longer queue on one row.
    const senders = Array.from({ length: SENDERS }, async () => {
      while (next < causes.length) await requestPayout(causes[next++] as string);
    });
    let sending = true;
    const all = Promise.all(senders).finally(() => (sending = false));
    // Chaos while the payouts go in: kill one of the two every round, start it again, let it work a little.
    let kills = 0;
    const chaos = (async () => {
      for (let round = 0; sending || round < 2; round += 1) {
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
        if (round % 2 === 0) {
          await service.kill();
          await service.start(START_TIMEOUT_MS);
        } else {
          await sandbox.kill();
          await new Promise((r) => setTimeout(r, 300));
          await sandbox.start();
        }
        kills += 1;
      }
    })().catch((error: unknown) => {
      stopped = true;
      throw error;
    });
    await Promise.all([all, chaos]);
    expect(kills).toBeGreaterThanOrEqual(2);

    const count = async (sql: string, params: unknown[] = []) =>
      Number((await pool.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
    // 0 lost: every request is an order, and each settles (confirmed or in manual review).
    expect(await count('SELECT count(*) AS n FROM compensation_orders WHERE tenant = $1', [tenant])).toBe(PAYOUTS);
    await eventually(
      async () => {
        const open = await count(
          `SELECT count(*) AS n FROM compensation_orders WHERE tenant = $1 AND status NOT IN ('paid', 'manual_review')`,
          [tenant],
        );
        return open === 0 ? true : undefined;
      },
      'every payout confirmed or in manual review',
      240_000,
      500,
    );

    const summary = async () =>
      (await (await fetch(`${sandbox.url}/payouts`)).json()) as {
        count: number;
        duplicates: number;
        paid: { count: number; amountMinor: number };
      };
    const paidOrders = () => count(`SELECT count(*) AS n FROM compensation_orders WHERE status = 'paid'`);
    // Every payout the provider confirmed is paid in the books (a late confirmation settles even a manual review).
    const provider = await eventually(
      async () => {
        const now = await summary();
        return now.paid.count === (await paidOrders()) ? now : undefined;
      },
      'the books to hold every payout the provider confirmed',
      60_000,
      500,
    );
    const paid = await paidOrders();
    // 0 paid twice: one payout per key at the provider, at most one booked payout per order.
    expect(provider.duplicates).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM (SELECT compensation_id FROM compensation_ledger GROUP BY compensation_id HAVING count(DISTINCT movement_id) > 1) twice`,
      ),
    ).toBe(0);
    expect(paid).toBe(provider.paid.count);
    expect(
      await count(
        `SELECT -coalesce(sum(amount_minor), 0) AS n FROM compensation_ledger WHERE account = 'payment_provider'`,
      ),
    ).toBe(provider.paid.amountMinor);
    // The ledger balanced to the unit: every movement, and all of it.
    expect(await count('SELECT coalesce(sum(amount_minor), 0) AS n FROM compensation_ledger')).toBe(0);
    expect(
      await count(
        'SELECT count(*) AS n FROM (SELECT movement_id FROM compensation_ledger GROUP BY movement_id HAVING sum(amount_minor) <> 0) unbalanced',
      ),
    ).toBe(0);
    const review = await count(`SELECT count(*) AS n FROM compensation_orders WHERE status = 'manual_review'`);
    console.log(
      JSON.stringify({
        payouts: PAYOUTS,
        senders: SENDERS,
        seconds: Math.round((Date.now() - started) / 1000),
        kills,
        paid,
        manualReview: review,
        providerPayouts: provider.count,
        duplicates: provider.duplicates,
      }),
    );
  }, 1_800_000);
});
