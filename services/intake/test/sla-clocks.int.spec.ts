import { randomBytes, randomUUID } from 'node:crypto';
import { Topics, validateEvent } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { eventually, metricValue, startTestService, WebhookReceiver, type TestService } from '@aftersales/test-kit';
import { caseStream, slaClockTimerId } from '../src/application/case-streams';
import type { SlaNotice } from '../src/application/sla-notifications';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; detail: string }>;
}
type Body = Record<string, unknown>;

/** A Shanghai wall-clock time (UTC+8, no daylight saving). */
const sh = (local: string) => new Date(`${local}+08:00`);
const utc = (local: string) => sh(local).toISOString();

// The tenant's calendar: Shanghai, Monday–Friday 09:00–12:00 and 13:00–18:00; the default targets otherwise (a chat's
// first response within 15 s, a simple case resolved within 8 working hours, the supervisor at a breach, the complaint
// team 2 working hours later). Wednesday 2026-11-25 and Thursday 2026-11-26 are working days.
const calendar = {
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  shifts: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ],
  holidays: [],
};

// CONTEXT: intake runs in-process on real Postgres and Kafka with the test's clock (moved by hand, never slept on) and
// an escalation webhook on a local receiver. Timers are rows of es_timers written with the case's events; the service's
// own timer worker fires them when the clock reaches them.
describe('SLA clocks of cases on real Postgres and Kafka', () => {
  const tenant = uniqueName('shop');
  let now = sh('2026-11-25T09:30');
  let intake: TestService;
  let hooks: WebhookReceiver<SlaNotice>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    hooks = await WebhookReceiver.start<SlaNotice>();
    intake = await startTestService(
      { ...intakeService, clock: () => new Date(now) },
      {
        env: {
          PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
          INTAKE_NOTIFIER_WEBHOOK_URL: hooks.url('/operator'),
          INTAKE_NOTIFIER_ALLOWED_HOSTS: '127.0.0.1',
          INTAKE_TIMER_POLL_MS: '50',
          // One timer loop: the timers of one case fire in the order they fall due (two loops may race on a case's
          // stream, and the loser retries after a backoff the frozen clock would not reach).
          INTAKE_TIMER_CONCURRENCY: '1',
        },
      },
    );
    for (const [name, roles] of [
      ['agent', ['agent']],
      ['supervisor', ['supervisor']],
      ['manager', ['cs-manager']],
    ] as const) {
      tokens[name] = await intake.token({ subject: `${name}-1`, tenant, roles: [...roles] });
    }
  });

  afterAll(async () => {
    await intake?.close();
    await hooks?.stop();
  });

  const call = <T = Body>(method: string, path: string, token: string, body?: unknown) =>
    intake.call<T>(method, path, { caller: { token }, body });
  const step = async (caseId: string, path: string, body?: unknown) => {
    const res = await call('POST', `/cases/${caseId}/${path}`, tokens.agent!, body);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };
  const open = async (body: Body = {}) => {
    const res = await call<Body & { caseId: string }>('POST', '/cases', tokens.agent!, {
      channel: 'chat',
      orderId: 'ORD-1',
      customerId: `cus-${randomUUID().slice(0, 8)}`,
      problemType: 'non-quality',
      description: 'The jacket is too small',
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const events = async (caseId: string) =>
    (
      await intake.pool.query<{ type: string; data: Body }>(
        'SELECT type, data FROM es_events WHERE stream_id = $1 ORDER BY stream_version',
        [caseStream(caseId)],
      )
    ).rows;
  const timer = async (id: string) =>
    (
      await intake.pool.query<{ due_at: Date; fired_at: Date | null; cancelled_at: Date | null; kind: string }>(
        'SELECT due_at, fired_at, cancelled_at, kind FROM es_timers WHERE timer_id = $1',
        [id],
      )
    ).rows[0];

  describe('the per-tenant SLA policy', () => {
    it('starts from the defaults; a customer-service manager replaces it, audited; agents read it', async () => {
      const before = await call('GET', '/sla-policies', tokens.agent!);
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ updatedAt: null, updatedBy: null });
      expect(before.body.policy).toEqual(before.body.defaults);
      const put = await call('PUT', '/sla-policies', tokens.manager!, { ...defaultSlaPolicy, calendar });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ policy: { calendar }, updatedBy: 'manager-1', updatedAt: now.toISOString() });
      expect((await call('PUT', '/sla-policies', tokens.agent!, { ...defaultSlaPolicy, calendar })).status).toBe(403);
      const { rows } = await intake.pool.query<{ type: string; actor: string }>(
        `SELECT type, metadata->'actor'->>'id' AS actor FROM es_events WHERE stream_id = $1`,
        [`sla-policy-${encodeURIComponent(tenant)}`],
      );
      expect(rows).toEqual([{ type: 'SlaPolicySet', actor: 'manager-1' }]);
    });

    it('answers 400 with a field error for each problem of the calendar, the budgets, the ladder and the webhook', async () => {
      const invalid = await call<Problem>('PUT', '/sla-policies', tokens.manager!, {
        ...defaultSlaPolicy,
        calendar: { ...calendar, timeZone: '+08:00', shifts: [{ start: '25:00', end: '18:00' }] },
        targets: [{ clock: 'first_response', when: {}, budget: { amount: 0, unit: 'seconds' }, basis: 'elapsed' }],
        escalation: { ...defaultSlaPolicy.escalation, webhookUrl: 'https://hooks.elsewhere.example/sla' },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors?.map((e) => e.pointer).sort()).toEqual([
        '/calendar/shifts/0/start',
        '/calendar/timeZone',
        '/escalation/webhookUrl',
        '/targets/0/budget/amount',
      ]);
      const malformed = await call<Problem>('PUT', '/sla-policies', tokens.manager!, { warningShare: 2 });
      expect(malformed.status).toBe(400);
    });
  });

  describe('clocks and their durable timers', () => {
    it('a case opened in business hours starts its clocks; their timers are written with the events and follow pauses', async () => {
      now = sh('2026-11-25T10:00');
      const { caseId } = await open();
      expect((await events(caseId)).map((e) => [e.type, e.data.clockId])).toEqual([
        ['CaseOpened', undefined],
        ['SlaClockStarted', 'first_response'],
        ['SlaClockStarted', 'resolution'],
      ]);
      // Resolution: 8 working hours from Wednesday 10:00 (7 h that day) → Thursday 10:00; warning at 6 h 24 min.
      expect(await timer(slaClockTimerId(caseId, 'resolution', 1, 'breach'))).toMatchObject({
        kind: 'sla-breach',
        due_at: sh('2026-11-26T10:00'),
        cancelled_at: null,
      });
      expect((await timer(slaClockTimerId(caseId, 'resolution', 1, 'warning')))?.due_at).toEqual(
        sh('2026-11-25T17:24'),
      );

      now = sh('2026-11-25T10:00:05');
      await step(caseId, 'acknowledgement', { message: 'Accepted', nextStep: 'We check the order' });
      expect((await timer(slaClockTimerId(caseId, 'first_response', 1, 'breach')))?.cancelled_at).not.toBeNull();

      now = sh('2026-11-25T11:00');
      await step(caseId, 'waiting', { on: 'customer', reason: 'Asked for the size label' });
      expect((await timer(slaClockTimerId(caseId, 'resolution', 1, 'breach')))?.cancelled_at).not.toBeNull();
      const paused = await call<{ clocks: Body[] }>('GET', `/cases/${caseId}/sla`, tokens.agent!);
      expect(paused.body.clocks).toContainEqual(
        expect.objectContaining({ clockId: 'resolution', status: 'paused', dueAt: null, consumedMs: 3_600_000 }),
      );

      now = sh('2026-11-25T14:00');
      await step(caseId, 'waiting/end', { note: 'The customer sent the label' });
      // 7 h left from 14:00: 4 h until 18:00, 3 h on Thursday morning.
      expect(await timer(slaClockTimerId(caseId, 'resolution', 1, 'breach'))).toMatchObject({
        due_at: sh('2026-11-26T12:00'),
        cancelled_at: null,
      });
    });

    it("off hours, intake acknowledges the case itself, saying it is handled from the calendar's next business instant", async () => {
      now = sh('2026-11-25T19:30');
      const opened = await open({ channel: 'order-page' });
      expect(opened).toMatchObject({
        status: 'acknowledged',
        acknowledgement: { automatic: true, handledFrom: utc('2026-11-26T09:00'), by: 'system:intake.off-hours' },
        firstResponse: null,
      });
    });

    it('a late first response: warned, breached, the supervisor then the complaint team reached and notified once each', async () => {
      now = sh('2026-11-26T10:00');
      const { caseId } = await open();
      now = sh('2026-11-26T10:00:16');
      const notices = () => hooks.deliveredOn('/operator').filter((n) => n.body.caseId === caseId);
      await eventually(() => (notices().length === 2 ? true : undefined), 'the warning and the supervisor notice');
      expect(
        notices()
          .map((n) => [n.body.rung, n.body.reason, n.idempotencyKey])
          .sort(),
      ).toEqual([
        ['agent', 'sla_warning', `sla:${caseId}:first_response:1:agent`],
        ['supervisor', 'sla_breach', `sla:${caseId}:first_response:1:supervisor`],
      ]);
      // Two working hours after the breach (10:00:15): 12:00, lunch, then 13:00:15.
      now = sh('2026-11-26T13:00:16');
      await eventually(() => (notices().length === 3 ? true : undefined), 'the complaint team notice');
      expect(notices()[2]?.body).toMatchObject({ rung: 'complaint_team', reason: 'sla_breach', tenant, caseId });
      const recorded = (await events(caseId)).filter((e) => e.type !== 'CaseOpened');
      expect(recorded.map((e) => [e.type, e.data.clockId ?? e.data.rung, e.data.at])).toEqual([
        ['SlaClockStarted', 'first_response', utc('2026-11-26T10:00')],
        ['SlaClockStarted', 'resolution', utc('2026-11-26T10:00')],
        ['SlaClockWarned', 'first_response', utc('2026-11-26T10:00:12')],
        ['SlaClockBreached', 'first_response', utc('2026-11-26T10:00:15')],
        ['CaseEscalated', 'supervisor', utc('2026-11-26T10:00:16')],
        ['CaseEscalated', 'complaint_team', utc('2026-11-26T13:00:16')],
      ]);
      const metrics = await eventually(async () => {
        const text = await (await fetch(`${intake.url}/metrics`)).text();
        return metricValue(text, 'aftersales_sla_breaches_total', { clock: 'first_response' }) >= 1 ? text : undefined;
      }, 'the breach counted');
      expect(metricValue(metrics, 'aftersales_sla_timer_lag_seconds_count', { kind: 'sla-breach' })).toBeGreaterThan(0);
    });
  });

  describe('timers of many cases falling due together', () => {
    it('fire set-based in one claim, each case warned, breached and escalated exactly once, each notice sent once', async () => {
      now = sh('2026-11-27T10:00');
      const cases: string[] = [];
      for (let i = 0; i < 6; i++) cases.push((await open()).caseId);
      // Every case's warning (10:00:12) and breach (10:00:15) are due at once: claims of several cases' timers. The
      // webhook fails one notice of a claim: that one alone is retried, with backoff (1 s), under the same key.
      // Only a notice of these cases fails: moving the clock a day on also fires the earlier tests' cases' later clocks,
      // whose notices reach the same endpoint first (one of them took the failure, and this test waited for it).
      hooks.failNext(1, '/operator', 503, (body) => cases.includes(body.caseId));
      now = sh('2026-11-27T10:00:16');
      const calls = () => hooks.on('/operator').filter((n) => cases.includes(n.body.caseId));
      const notices = () => hooks.deliveredOn('/operator').filter((n) => cases.includes(n.body.caseId));
      await eventually(() => (notices().length === 11 ? true : undefined), 'every notice but the failed one');
      now = sh('2026-11-27T10:00:18');
      await eventually(() => (notices().length === 12 ? true : undefined), 'the failed notice, retried');
      const failed = calls().filter((c) => c.status === 503);
      expect(failed).toHaveLength(1);
      const again = calls().filter((c) => c.idempotencyKey === failed[0]?.idempotencyKey);
      expect(again.map((c) => c.status)).toEqual([503, 202]);
      expect(calls()).toHaveLength(13);
      for (const caseId of cases) {
        const recorded = (await events(caseId)).filter((e) => e.type !== 'CaseOpened' && e.type !== 'SlaClockStarted');
        expect(recorded.map((e) => [e.type, e.data.clockId ?? e.data.rung])).toEqual([
          ['SlaClockWarned', 'first_response'],
          ['SlaClockBreached', 'first_response'],
          ['CaseEscalated', 'supervisor'],
        ]);
        for (const kind of ['warning', 'breach'] as const) {
          expect((await timer(slaClockTimerId(caseId, 'first_response', 1, kind)))?.fired_at).not.toBeNull();
        }
      }
      const keys = notices().map((n) => n.idempotencyKey);
      expect(new Set(keys).size).toBe(12);
    });
  });

  describe('complaints move their case onto the complaint ladder', () => {
    const complain = (caseId: string, flags: Body = {}) =>
      call('POST', '/complaints', tokens.agent!, {
        caseId,
        customer: { id: `cus-${randomUUID().slice(0, 8)}` },
        orderId: 'ORD-1',
        productSku: 'PB-20000',
        batch: 'B-7',
        category: 'product-quality',
        description: 'The power bank swelled',
        flags,
      });
    const rungOf = (caseId: string, rung: string) =>
      eventually(async () => {
        const res = await call<{ escalation: { rung: string; reason: string } | null }>(
          'GET',
          `/cases/${caseId}`,
          tokens.agent!,
        );
        return res.body.escalation?.rung === rung ? res.body.escalation : undefined;
      }, `case ${caseId} at ${rung}`);

    it('a complaint takes the case to the complaint team; a severe one (a group event) to senior management', async () => {
      now = sh('2026-11-26T14:00');
      const plain = await open({ problemType: 'quality' });
      const severe = await open({ problemType: 'quality' });
      expect((await complain(plain.caseId)).status).toBe(201);
      expect((await complain(severe.caseId, { groupEvent: true })).status).toBe(201);
      expect(await rungOf(plain.caseId, 'complaint_team')).toMatchObject({ reason: 'complaint' });
      expect(await rungOf(severe.caseId, 'senior_management')).toMatchObject({ reason: 'severe_complaint' });
    });
  });

  it('publishes the clocks on Kafka, valid against their contracts, keyed by the case', async () => {
    const { rows } = await intake.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM es_events WHERE type LIKE 'SlaClock%' AND metadata->>'tenant' = $1`,
      [tenant],
    );
    const published = await readTopicWithKcat(Topics.intake, {
      count: rows[0]?.n ?? 0,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_tenantid === tenant && (m.headers.ce_type ?? '').includes('.sla-clock-'),
    });
    const types = new Set(published.map((m) => m.headers.ce_type));
    for (const type of ['started', 'paused', 'resumed', 'warned', 'breached', 'met']) {
      expect(types).toContain(`aftersales.intake.sla-clock-${type}.v1`);
    }
    for (const message of published) {
      const payload = JSON.parse(message.payload) as Body;
      expect(validateEvent(message.headers.ce_type ?? '', payload)).toMatchObject({ ok: true });
      expect(message.key).toBe(payload.caseId);
      expect(payload.tenantId).toBe(tenant);
    }
  });
});
