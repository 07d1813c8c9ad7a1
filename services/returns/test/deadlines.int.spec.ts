import { Topics, validateEvent } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { eventually, startTestService, WebhookReceiver, type TestService } from '@aftersales/test-kit';
import type { DeadlineNotice } from '../src/application/return-deadline-timers';
import { defaultReturnsPolicy } from '../src/domain/returns-policy';
import { returnsService } from '../src/returns.module';

interface Deadline {
  startedAt: string;
  dueAt: string;
  status: string;
  late: boolean;
}
interface ReturnBody {
  returnId: string;
  status: string;
  deadlines: Record<string, Deadline>;
}

// CONTEXT: returns runs in-process on real Postgres and Kafka with the test's clock (moved by hand, never slept on); its
// own timer worker fires the deadlines when the clock reaches them, and the supervisor's notices go to a local webhook.
// The tenant runs the default calendar: Asia/Shanghai, 09:00–22:30 every day.
describe('returns: each deadline a durable timer on the business calendar, a breach notified once', () => {
  const tenant = uniqueName('shop');
  const agent = { tenant, roles: ['agent'], subject: 'agent-7' };
  let now = new Date('2026-12-03T10:00:00.000Z'); // Thursday 18:00 Shanghai
  let service: TestService;
  let hooks: WebhookReceiver<DeadlineNotice>;

  beforeAll(async () => {
    hooks = await WebhookReceiver.start<DeadlineNotice>();
    service = await startTestService(
      { ...returnsService, clock: () => new Date(now) },
      {
        env: {
          RETURNS_NOTIFIER_WEBHOOK_URL: hooks.url('/supervisor'),
          RETURNS_NOTIFIER_ALLOWED_HOSTS: '127.0.0.1',
          RETURNS_TIMER_POLL_MS: '50',
        },
      },
    );
  });

  afterAll(async () => {
    await service?.close();
    await hooks?.stop();
  });

  const received = async (caller = agent) => {
    const body = {
      orderId: 'ORD-9',
      kind: 'return',
      reason: 'quality',
      severity: 'unusable',
      items: [
        {
          sku: 'KETTLE-1L',
          quantity: 1,
          unitPrice: { amountMinor: 19_900, currency: 'CNY' },
          specialPrice: false,
          deliveredAt: '2026-12-01T02:00:00.000Z',
          condition: { unused: false, tagsAttached: false, packagingIntact: false },
        },
      ],
      orderPaid: { amountMinor: 19_900, currency: 'CNY' },
      evidenceRefs: [],
    };
    const { returnId } = (await service.call<ReturnBody>('POST', '/returns', { caller, body })).body;
    await service.call('POST', `/returns/${returnId}/decision`, { caller, body: {} });
    const receipt = await service.call<ReturnBody>('POST', `/returns/${returnId}/receipts`, {
      caller,
      body: { items: [{ sku: 'KETTLE-1L', quantity: 1 }] },
    });
    expect(receipt.status).toBe(200);
    return receipt.body;
  };
  const stored = async (returnId: string, type: string) =>
    (
      await service.pool.query<{ data: { deadline: string; dueAt: string } }>(
        'SELECT data FROM es_events WHERE stream_id = $1 AND type = $2',
        [`return-${returnId}`, type],
      )
    ).rows.map((r) => r.data);

  it('breaches the inspection not done within 24 working hours at its due instant, once, and tells the supervisor once', async () => {
    const late = await received();
    const inTime = await received();
    // 24 working hours from Thursday 18:00: 4 h 30 on Thursday, 13 h 30 on Friday, 6 h on Saturday → 15:00 (07:00Z).
    expect(late.deadlines).toEqual({
      inspection: { startedAt: now.toISOString(), dueAt: '2026-12-05T07:00:00.000Z', status: 'open', late: false },
      // 40 working hours: … 13 h 30 on Saturday, 8 h 30 on Sunday → Sunday 17:30 (09:30Z).
      refund_completion: {
        startedAt: now.toISOString(),
        dueAt: '2026-12-06T09:30:00.000Z',
        status: 'open',
        late: false,
      },
    });
    const inspected = await service.call<ReturnBody>('POST', `/returns/${inTime.returnId}/inspection`, {
      caller: agent,
      body: { grade: 'damaged', disposition: 'scrap' },
    });
    expect(inspected.body.deadlines.inspection).toMatchObject({ status: 'met', late: false });

    now = new Date('2026-12-05T06:59:00.000Z');
    // A minute before the due instant every deadline's timer is still pending: the late one's, and both refunds'.
    await eventually(async () => {
      const { rows } = await service.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM es_timers WHERE kind = 'return-deadline' AND tenant = $1 AND fired_at IS NULL AND cancelled_at IS NULL",
        [tenant],
      );
      return rows[0]?.n === 3 ? true : undefined; // late: inspection + refund; in time: refund
    }, 'the open deadline timers');
    expect(await stored(late.returnId, 'ReturnDeadlineBreached')).toEqual([]);

    now = new Date('2026-12-05T08:00:00.000Z');
    const breaches = await eventually(async () => {
      const found = await stored(late.returnId, 'ReturnDeadlineBreached');
      return found.length > 0 ? found : undefined;
    }, 'the inspection breached');
    expect(breaches).toEqual([
      expect.objectContaining({
        deadline: 'inspection',
        dueAt: '2026-12-05T07:00:00.000Z',
        breachedAt: '2026-12-05T07:00:00.000Z',
      }),
    ]);
    const notices = await eventually(async () => {
      const delivered = hooks.deliveredOn('/supervisor').filter((n) => n.body.returnId === late.returnId);
      return delivered.length > 0 ? delivered : undefined;
    }, "the supervisor's notice");
    expect(notices.map((n) => n.body)).toEqual([
      {
        key: `notify:return-deadline:${late.returnId}:inspection`,
        tenant,
        returnId: late.returnId,
        caseId: null,
        deadline: 'inspection',
        dueAt: '2026-12-05T07:00:00.000Z',
        rung: 'supervisor',
      },
    ]);
    expect(await stored(inTime.returnId, 'ReturnDeadlineBreached')).toEqual([]);

    const [published] = await readTopicWithKcat(Topics.returns, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) =>
        m.headers.ce_subject === late.returnId &&
        m.headers.ce_type === 'aftersales.returns.return-deadline-breached.v1',
    });
    expect(
      validateEvent('aftersales.returns.return-deadline-breached.v1', JSON.parse(published!.payload ?? '{}')),
    ).toMatchObject({
      ok: true,
    });

    const after = await service.call<ReturnBody>('POST', `/returns/${late.returnId}/inspection`, {
      caller: agent,
      body: { grade: 'damaged', disposition: 'scrap' },
    });
    expect(after.body.deadlines.inspection).toMatchObject({ status: 'met', late: true });
    expect(hooks.deliveredOn('/supervisor').filter((n) => n.body.returnId === late.returnId)).toHaveLength(1);
  });

  it("a tenant's own supervisor webhook receives its breaches; one the operator does not allow is refused when saved", async () => {
    const own = uniqueName('shop-own');
    const ownAgent = { tenant: own, roles: ['agent'], subject: 'agent-8' };
    const manager = { tenant: own, roles: ['cs-manager'], subject: 'mgr-8' };
    const put = (supervisorWebhookUrl: string | null) =>
      service.call('PUT', '/returns-policies', {
        caller: manager,
        body: { ...defaultReturnsPolicy, supervisorWebhookUrl },
      });
    const refused = await put('https://elsewhere.example.com/hook');
    expect(refused).toMatchObject({
      status: 400,
      body: { errors: [expect.objectContaining({ pointer: '/supervisorWebhookUrl' })] },
    });
    expect(await put(hooks.url('/own-supervisor'))).toMatchObject({
      status: 200,
      body: { policy: { supervisorWebhookUrl: hooks.url('/own-supervisor') }, updatedBy: 'mgr-8' },
    });

    // Received Saturday 16:00 Shanghai: 24 working hours → 6 h 30 Saturday, 13 h 30 Sunday, 4 h Monday → 13:00 (05:00Z).
    const late = await received(ownAgent);
    expect(late.deadlines.inspection).toMatchObject({ dueAt: '2026-12-07T05:00:00.000Z', status: 'open' });
    now = new Date('2026-12-07T06:00:00.000Z');
    const notices = await eventually(async () => {
      const delivered = hooks.deliveredOn('/own-supervisor').filter((n) => n.body.returnId === late.returnId);
      return delivered.length > 0 ? delivered : undefined;
    }, "the tenant's supervisor notice");
    expect(notices.map((n) => n.body)).toEqual([
      expect.objectContaining({ tenant: own, returnId: late.returnId, deadline: 'inspection', rung: 'supervisor' }),
    ]);
    expect(hooks.deliveredOn('/supervisor').filter((n) => n.body.returnId === late.returnId)).toEqual([]);
  });
});
