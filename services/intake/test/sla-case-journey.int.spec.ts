import { randomBytes, randomUUID } from 'node:crypto';
import { uniqueName } from '@aftersales/testing';
import { eventually, startTestService, WebhookReceiver, type TestService } from '@aftersales/test-kit';
import { caseStream, slaNotificationKey } from '../src/application/case-streams';
import type { SlaNotice } from '../src/application/sla-notifications';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';

type Body = Record<string, unknown>;
interface ClockFigures {
  clockId: string;
  status: string;
  consumedMs: number;
  late: boolean | null;
  dueAt: string | null;
  metAt: string | null;
}

/** A Shanghai wall-clock time (UTC+8, no daylight saving). */
const sh = (local: string) => new Date(`${local}+08:00`);
const utc = (local: string) => sh(local).toISOString();
const SECOND = 1_000;
const HOUR = 3_600_000;

// CONTEXT: intake in-process on real Postgres and Kafka, its clock the test's (set by hand: no sleeping for hours), the
// tenant's calendar Shanghai Monday–Friday 09:00–12:00 and 13:00–18:00, the default targets: a chat's first response
// within 15 s and next response within 1 min of elapsed time, a simple case (non-quality) resolved within 8 working
// hours, the supervisor reached at a breach. Wednesday 2026-11-25 and Thursday 2026-11-26 are working days.
describe('a chat case end to end, its SLA figures equal to business time computed by hand', () => {
  const tenant = uniqueName('shop');
  let now = sh('2026-11-25T09:00');
  let intake: TestService;
  let hooks: WebhookReceiver<SlaNotice>;
  let agent: string;

  beforeAll(async () => {
    hooks = await WebhookReceiver.start<SlaNotice>();
    intake = await startTestService(
      { ...intakeService, clock: () => new Date(now) },
      {
        env: {
          PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
          INTAKE_NOTIFIER_WEBHOOK_URL: hooks.url('/escalations'),
          INTAKE_TIMER_POLL_MS: '50',
          INTAKE_TIMER_CONCURRENCY: '1',
        },
      },
    );
    agent = await intake.token({ subject: 'agent-7', tenant, roles: ['agent'] });
    const manager = await intake.token({ subject: 'manager-1', tenant, roles: ['cs-manager'] });
    const calendar = {
      timeZone: 'Asia/Shanghai',
      workingDays: [1, 2, 3, 4, 5],
      shifts: [
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '18:00' },
      ],
      holidays: [],
    };
    const put = await intake.call('PUT', '/sla-policies', {
      caller: { token: manager },
      body: { ...defaultSlaPolicy, calendar },
    });
    expect(put.status).toBe(200);
  });

  afterAll(async () => {
    await intake?.close();
    await hooks?.stop();
  });

  const open = async () => {
    const res = await intake.call<Body & { caseId: string }>('POST', '/cases', {
      caller: { token: agent },
      body: {
        channel: 'chat',
        orderId: 'ORD-7',
        customerId: `cus-${randomUUID().slice(0, 8)}`,
        problemType: 'non-quality',
        description: 'The jacket is too small; I want my money back',
      },
    });
    expect(res.status).toBe(201);
    return res.body.caseId;
  };
  /** Sets the service's clock to Shanghai time `local`, then runs one step of the case as the agent. */
  const at = async (local: string, caseId: string, path: string, body: unknown = {}) => {
    now = sh(local);
    const res = await intake.call<Body>('POST', `/cases/${caseId}/${path}`, { caller: { token: agent }, body });
    expect({ path, status: res.status, body: res.status === 200 ? null : res.body }).toEqual({
      path,
      status: 200,
      body: null,
    });
    return res.body;
  };
  const figures = async (caseId: string, atLocal?: string) => {
    const query = atLocal ? `?at=${encodeURIComponent(utc(atLocal))}` : '';
    const res = await intake.call<{ clocks: ClockFigures[] }>('GET', `/cases/${caseId}/sla${query}`, {
      caller: { token: agent },
    });
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.clocks.map((c) => [c.clockId, c]));
  };

  it('acknowledged, classified, assigned, paused waiting on the customer, resumed, resolved, closed', async () => {
    now = sh('2026-11-25T10:00');
    const caseId = await open();
    await at('2026-11-25T10:00:10', caseId, 'acknowledgement', { message: 'Accepted', expectedCycle: '1 day' });
    await at('2026-11-25T10:05', caseId, 'classification', { category: 'non-quality' });
    await at('2026-11-25T10:10', caseId, 'assignment', { queue: 'returns', team: 'east', agentId: 'agent-7' });
    await at('2026-11-25T10:20', caseId, 'investigation');
    await at('2026-11-25T10:25', caseId, 'facts', { kind: 'order', summary: 'Delivered 2 days ago', source: 'orders' });
    await at('2026-11-25T10:30', caseId, 'responsibility', { party: 'customer', basis: 'Changed mind within 7 days' });
    await at('2026-11-25T11:00', caseId, 'waiting', { on: 'customer', reason: 'Asked for photos of the tags' });

    // Paused: 10:00–11:00 used, no due time while the customer is awaited.
    expect((await figures(caseId, '2026-11-25T14:00')).resolution).toMatchObject({
      status: 'paused',
      consumedMs: 1 * HOUR,
      dueAt: null,
    });

    // The customer's message ends the wait and asks for a reply: the resolution clock resumes with 7 h left
    // (14:30–18:00, then Thursday 09:00–12:00 and 13:00–13:30); the next-response clock starts (1 min).
    await at('2026-11-25T14:30', caseId, 'communications', {
      channel: 'chat',
      direction: 'inbound',
      author: { kind: 'customer' },
      summary: 'Sent the photos',
    });
    const resumed = await figures(caseId, '2026-11-25T14:30');
    expect(resumed.resolution).toMatchObject({ status: 'active', dueAt: utc('2026-11-26T13:30') });
    expect(resumed.next_response).toMatchObject({ status: 'active', dueAt: utc('2026-11-25T14:31') });
    await at('2026-11-25T14:30:40', caseId, 'communications', {
      channel: 'chat',
      direction: 'outbound',
      author: { kind: 'agent' },
      summary: 'Offered a refund once the jacket is back',
    });
    await at('2026-11-25T15:00', caseId, 'solutions', {
      solutions: [
        {
          kind: 'refund_only',
          description: 'Full refund',
          basis: '7-day no-reason return',
          expectedTime: '3 days',
          customerActions: 'Send the jacket back',
        },
      ],
    });
    await at('2026-11-25T15:10', caseId, 'solutions/acceptance', { option: 1 });
    await at('2026-11-26T10:00', caseId, 'resolution', {
      outcome: 'Refunded 399.00 CNY',
      basis: '7-day no-reason return',
      objectionRoute: 'Reply in this chat within 7 days',
    });
    await at('2026-11-26T10:30', caseId, 'closure', { note: 'Refund confirmed by the customer' });

    const final = await figures(caseId);
    expect(final).toEqual({
      // Acknowledged by the agent 10 s after opening: the first response, within its 15 s.
      first_response: expect.objectContaining({
        status: 'met',
        consumedMs: 10 * SECOND,
        late: false,
        metAt: utc('2026-11-25T10:00:10'),
      }),
      // Answered 40 s after the customer's message: within its minute.
      next_response: expect.objectContaining({ status: 'met', consumedMs: 40 * SECOND, late: false }),
      // Wednesday 10:00–11:00 (1 h) and 14:30–18:00 (3 h 30), Thursday 09:00–10:00 (1 h): 5 h 30 of the 8 h.
      resolution: expect.objectContaining({
        status: 'met',
        consumedMs: 5.5 * HOUR,
        late: false,
        metAt: utc('2026-11-26T10:00'),
      }),
    });
    const { rows } = await intake.pool.query<{ type: string; clock: string; at: string; consumed: number | null }>(
      `SELECT type, data->>'clockId' AS clock, data->>'at' AS at, (data->>'consumedMs')::int AS consumed
         FROM es_events WHERE stream_id = $1 AND type LIKE 'SlaClock%' ORDER BY stream_version`,
      [caseStream(caseId)],
    );
    expect(rows).toEqual([
      { type: 'SlaClockStarted', clock: 'first_response', at: utc('2026-11-25T10:00'), consumed: null },
      { type: 'SlaClockStarted', clock: 'resolution', at: utc('2026-11-25T10:00'), consumed: null },
      { type: 'SlaClockMet', clock: 'first_response', at: utc('2026-11-25T10:00:10'), consumed: 10 * SECOND },
      { type: 'SlaClockPaused', clock: 'resolution', at: utc('2026-11-25T11:00'), consumed: null },
      { type: 'SlaClockResumed', clock: 'resolution', at: utc('2026-11-25T14:30'), consumed: null },
      { type: 'SlaClockStarted', clock: 'next_response', at: utc('2026-11-25T14:30'), consumed: null },
      { type: 'SlaClockMet', clock: 'next_response', at: utc('2026-11-25T14:30:40'), consumed: 40 * SECOND },
      { type: 'SlaClockMet', clock: 'resolution', at: utc('2026-11-26T10:00'), consumed: 5.5 * HOUR },
    ]);
    // No timer of the case is left to fire.
    const pending = await intake.pool.query(
      `SELECT timer_id FROM es_timers WHERE timer_id LIKE $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [`case:${caseId}:%`],
    );
    expect(pending.rows).toEqual([]);
  });

  it('a breach notifies the supervisor exactly once, across a restart of the service', async () => {
    now = sh('2026-11-26T11:00');
    const caseId = await open();
    const supervisorKey = slaNotificationKey(caseId, 'first_response', 1, 'supervisor');
    const sent = (key: string) => hooks.received.filter((r) => r.idempotencyKey === key);

    // The warning (12 s in) reaches the agent.
    now = sh('2026-11-26T11:00:13');
    await eventually(
      () => (hooks.deliveredOn('/escalations').some((n) => n.body.caseId === caseId) ? true : undefined),
      "the agent's warning",
    );
    // The breach (15 s in) reaches the supervisor, whose webhook fails the first attempt: the delivery is retried with
    // backoff, under the same key.
    hooks.failNext(1, '/escalations');
    now = sh('2026-11-26T11:00:16');
    await eventually(() => (sent(supervisorKey).length === 1 ? true : undefined), 'the first attempt');
    expect(sent(supervisorKey)[0]?.status).toBe(500);

    await intake.restart();
    now = sh('2026-11-26T11:00:30');
    const delivered = await eventually(
      () => hooks.deliveredOn('/escalations').find((n) => n.idempotencyKey === supervisorKey),
      'the supervisor notice after the restart',
    );
    expect(delivered.body).toEqual({
      key: supervisorKey,
      tenant,
      caseId,
      clockId: 'first_response',
      instance: 1,
      rung: 'supervisor',
      reason: 'sla_breach',
      dueAt: utc('2026-11-26T11:00:15'),
      queue: null,
      team: null,
      agentId: null,
    });

    // Another restart, and another case breaching after it: its notice arrives, the first supervisor notice is not
    // sent again.
    await intake.restart();
    now = sh('2026-11-26T11:10');
    const later = await open();
    now = sh('2026-11-26T11:10:16');
    const laterKey = slaNotificationKey(later, 'first_response', 1, 'supervisor');
    await eventually(() => (sent(laterKey).length === 1 ? true : undefined), 'the later case’s supervisor notice');
    expect(sent(supervisorKey).map((r) => r.status)).toEqual([500, 202]);
    const { rows } = await intake.pool.query<{ outcome: string; attempts: number }>(
      'SELECT outcome, attempts FROM notification_deliveries WHERE idempotency_key = $1',
      [supervisorKey],
    );
    expect(rows).toEqual([{ outcome: 'delivered', attempts: 2 }]);
    const escalated = await intake.pool.query<{ rung: string; by: string }>(
      `SELECT data->>'rung' AS rung, data->>'by' AS by FROM es_events WHERE stream_id = $1 AND type = 'CaseEscalated'`,
      [caseStream(caseId)],
    );
    expect(escalated.rows).toEqual([{ rung: 'supervisor', by: 'system:intake.sla-clocks' }]);
  });
});
