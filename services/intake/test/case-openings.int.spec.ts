import { randomBytes, randomUUID } from 'node:crypto';
import type { CommandOrigin } from '@aftersales/eventstore';
import { uniqueName } from '@aftersales/testing';
import { startTestService, type TestService } from '@aftersales/test-kit';
import { CasesService, caseStream } from '../src/application/cases.service';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';
import { aroundTheClock } from '../src/testing/around-the-clock';

// CONTEXT: intake in-process on real Postgres and Kafka. Cases opened at the same time (concurrent `POST /cases`)
// share transactions (group commit, `CasesService.open`); here the openings are submitted in one tick straight to the
// application service, so how they are grouped does not depend on the machine's speed.
describe('cases opened together', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  let intake: TestService;
  let cases: CasesService;

  beforeAll(async () => {
    intake = await startTestService(intakeService, {
      env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    cases = intake.running.app.get(CasesService);
    // The tenant's desk is staffed around the clock: whenever the test runs, an opening is not also acknowledged off
    // hours by the platform (sla-clocks.int.spec.ts proves that), so each case holds exactly its opening's events.
    const token = await intake.token({ subject: 'manager-1', tenant, roles: ['cs-manager'] });
    const staffed = await intake.call('PUT', '/sla-policies', {
      caller: { token },
      body: {
        ...defaultSlaPolicy,
        calendar: aroundTheClock,
      },
    });
    expect(staffed.status).toBe(200);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const origin = (t: string): CommandOrigin => ({
    tenant: t,
    actor: { id: 'agent-7', roles: ['agent'] },
    correlationId: randomUUID(),
  });
  const data = (caseId: string) => ({
    caseId,
    channel: 'email' as const,
    orderId: 'ORD-1',
    customerId: `cus-${randomUUID().slice(0, 8)}`,
    problemType: 'non-quality' as const,
    description: 'The jacket is too small',
    evidence: [],
  });

  it('share a few transactions, each answered once committed with its clocks and timers; a refused one fails alone', async () => {
    const taken = randomUUID();
    await cases.open(origin(otherTenant), data(taken));
    const ids = Array.from({ length: 19 }, () => randomUUID());
    const outcomes = await Promise.allSettled([
      ...ids.map((id) => cases.open(origin(tenant), data(id))),
      // The id of another tenant's case: refused (the id is taken), and only this opening.
      cases.open(origin(tenant), data(taken)),
    ]);
    expect(outcomes.slice(0, 19).map((o) => o.status)).toEqual(Array(19).fill('fulfilled'));
    expect(outcomes[19]).toMatchObject({ status: 'rejected', reason: { code: 'CASE.ALREADY_OPENED' } });
    for (const [i, outcome] of outcomes.slice(0, 19).entries()) {
      expect(outcome).toMatchObject({ status: 'fulfilled', value: { case: { caseId: ids[i], tenant } } });
    }

    const { rows } = await intake.pool.query<{ stream_id: string; types: string[]; tx: string }>(
      `SELECT stream_id, array_agg(type ORDER BY stream_version) AS types, min(transaction_id::text) AS tx
         FROM es_events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
      [ids.map(caseStream)],
    );
    expect(rows).toHaveLength(19);
    for (const row of rows) expect(row.types).toEqual(['CaseOpened', 'SlaClockStarted', 'SlaClockStarted']);
    // Submitted in one tick: the first two openings each start a transaction (two at a time), the other 17 wait and
    // go together into the next one.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThanOrEqual(3);
    const { rows: timers } = await intake.pool.query<{ case_id: string; n: number }>(
      `SELECT payload->>'caseId' AS case_id, count(*)::int AS n FROM es_timers
        WHERE payload->>'caseId' = ANY($1::text[]) GROUP BY 1`,
      [ids],
    );
    expect(timers).toHaveLength(19);
    for (const t of timers) expect(t.n).toBe(4);
    // The taken case is still the other tenant's alone.
    const { rows: other } = await intake.pool.query<{ tenant: string }>(
      `SELECT data->>'tenant' AS tenant FROM es_events WHERE stream_id = $1 AND type = 'CaseOpened'`,
      [caseStream(taken)],
    );
    expect(other).toEqual([{ tenant: otherTenant }]);
  });

  it('a repeated opening (same idempotency key) in the same transaction opens the case once', async () => {
    const caseId = randomUUID();
    const again = { ...origin(tenant), idempotencyKey: `${tenant}:open-${caseId}` };
    const [first, second] = await Promise.all([cases.open(again, data(caseId)), cases.open(again, data(caseId))]);
    expect(first.case.caseId).toBe(caseId);
    expect(second.case.caseId).toBe(caseId);
    const { rows } = await intake.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM es_events WHERE stream_id = $1 AND type = 'CaseOpened'`,
      [caseStream(caseId)],
    );
    expect(rows[0]?.n).toBe(1);
  });
});
