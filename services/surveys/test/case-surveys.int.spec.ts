import { randomBytes, randomUUID } from 'node:crypto';
import {
  CaseAssignedV1,
  CaseOpenedV1,
  CaseResolvedV1,
  CustomerDataErasedV1,
  ImprovementInputRaisedV1,
  Topics,
  validateEvent,
} from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import {
  ContractPublisher,
  eventually,
  startTestService,
  WebhookReceiver,
  type TestService,
} from '@aftersales/test-kit';
import { surveysService } from '../src/surveys.module';

interface CaseSurvey {
  surveyId: string;
  caseId: string;
  status: string;
  customerRef: string;
  team: string | null;
  remindedAt: string | null;
  answer: null | {
    unsatisfiedDimensions: string[];
    contactLeft: boolean;
    suggestion: string | null;
    satisfied: boolean;
  };
  followUpCall: null | { dueBy: string; reasons: string[]; status: string; late: boolean | null };
}
interface Notice {
  key: string;
  kind: string;
  surveyId: string;
  caseId: string;
  customerRef: string;
  answerRoute: string;
}

// CONTEXT: surveys runs in-process on real Postgres and Kafka; intake is played by this test (its contract events on
// the intake topic, as its relay publishes them); the survey gateway (SMS/app) is a local webhook receiver. Time is
// not waited for: a step's durable timer is made due now in es_timers, as the passing of its hours would.
describe('surveys: every resolved case is surveyed (CaseResolvedV1 → invitation → reminder → answer → improvement input)', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const urgentCase = randomUUID();
  const plainCase = randomUUID();
  const customer = `cus-${randomUUID().slice(0, 8)}`;
  let gateway: WebhookReceiver<Notice>;
  let surveys: TestService;
  let upstream: ContractPublisher;
  const as = (roles: string[], subject = `${roles[0]}-1`, t = tenant) => ({ caller: { tenant: t, roles, subject } });

  beforeAll(async () => {
    gateway = await WebhookReceiver.start<Notice>();
    surveys = await startTestService(surveysService, {
      env: {
        PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
        SURVEYS_NOTIFIER_WEBHOOK_URL: gateway.url('/surveys'),
        SURVEYS_TIMER_POLL_MS: '100',
        SURVEYS_TIMER_RETRY_BASE_MS: '100',
      },
    });
    upstream = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await upstream?.close();
    await surveys?.close();
    await gateway?.stop();
  });

  const makeDue = (timerId: string) =>
    surveys.pool.query('UPDATE es_timers SET due_at = now() WHERE timer_id = $1 AND fired_at IS NULL', [timerId]);
  const surveysOfCase = async (caseId: string, t = tenant) =>
    (
      await surveys.call<{ surveys?: CaseSurvey[] }>(
        'GET',
        `/case-surveys?caseId=${caseId}`,
        as(['agent'], 'agent-1', t),
      )
    ).body.surveys ?? [];
  const surveyOf = (caseId: string, until: (s: CaseSurvey) => boolean, what: string) =>
    eventually(async () => (await surveysOfCase(caseId)).find(until), what, 30_000);

  const opened = (caseId: string, priority: 'urgent' | 'normal') => ({
    caseId,
    tenantId: tenant,
    channel: 'chat' as const,
    orderId: `ORD-${caseId.slice(0, 6)}`,
    customerId: customer,
    problemType: 'logistics' as const,
    description: 'Parcel stuck for a week',
    evidence: [],
    priority,
    openedAt: new Date(Date.now() - 3_600_000).toISOString(),
  });
  const resolved = (caseId: string) => ({
    caseId,
    tenantId: tenant,
    solutionKind: 'reship' as const,
    outcome: 'Replacement delivered',
    basis: 'Carrier lost the parcel',
    objectionRoute: 'Reply to this chat within 7 days',
    reopenableUntil: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    resolvedAt: new Date().toISOString(),
  });

  it('takes the tenant policy (PUT /survey-policies): channel, delay, which cases; refuses an inconsistent one', async () => {
    const manager = as(['cs-manager'], 'manager-1');
    const saved = await surveys.call('PUT', '/survey-policies', {
      ...manager,
      body: {
        cases: { channel: 'sms', delayMinutes: 0, problemTypes: ['logistics'], followUpCall: { workingDays: 2 } },
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      policy: { cases: { delayMinutes: 0, problemTypes: ['logistics'], followUpCall: { workingDays: 2 } } },
      updatedBy: 'manager-1',
    });
    const inconsistent = await surveys.call('PUT', '/survey-policies', {
      ...manager,
      body: { cases: { reminderAfterHours: 100, expiresAfterHours: 72 } },
    });
    expect(inconsistent.status).toBe(422);
    expect(inconsistent.body).toMatchObject({ code: 'SURVEY_POLICY.INVALID' });
    const elsewhere = await surveys.call('PUT', '/survey-policies', {
      ...manager,
      body: { webhookUrl: 'http://169.254.169.254/latest' },
    });
    expect(elsewhere.status).toBe(400);
    expect((await surveys.call('PUT', '/survey-policies', { ...as(['agent']), body: {} })).status).toBe(403);
  });

  let urgentSurvey: CaseSurvey;

  it('schedules a survey per resolved case and delivers the invitation through the gateway once, retried when it fails', async () => {
    gateway.failNext(1, '/surveys', 503);
    await upstream.publishAll(CaseOpenedV1, [opened(urgentCase, 'urgent'), opened(plainCase, 'normal')]);
    await upstream.publish(CaseAssignedV1, {
      caseId: urgentCase,
      tenantId: tenant,
      queue: 'logistics-claims',
      team: 'after-sales-east',
      agentId: 'agent-7',
      assignedAt: new Date().toISOString(),
    });
    await upstream.publishAll(CaseResolvedV1, [resolved(urgentCase), resolved(plainCase)]);

    urgentSurvey = await surveyOf(urgentCase, (s) => s.status === 'invited', 'the invitation of the urgent case');
    expect(urgentSurvey).toMatchObject({ customerRef: customer, team: 'after-sales-east', channel: 'sms' });
    // Significant (urgent): a proactive follow-up call within 2 working days.
    expect(urgentSurvey.followUpCall).toMatchObject({ reasons: ['priority'], status: 'open' });
    const plain = await surveyOf(plainCase, (s) => s.status === 'invited', 'the invitation of the plain case');
    expect(plain.followUpCall).toBeNull();

    const invitations = await eventually(
      async () => {
        const delivered = gateway.deliveredOn('/surveys').filter((w) => w.body.kind === 'case-survey.invitation');
        return delivered.length >= 2 ? delivered : undefined;
      },
      'both invitations delivered',
      30_000,
    );
    const invitation = invitations.find((w) => w.body.surveyId === urgentSurvey.surveyId);
    expect(invitation?.body).toMatchObject({
      caseId: urgentCase,
      customerRef: customer,
      channel: 'sms',
      answerRoute: `/case-surveys/${urgentSurvey.surveyId}/answers`,
    });
    expect(invitation?.idempotencyKey).toBe(invitation?.body.key);
    // No personal data on the wire: ids only.
    expect(JSON.stringify(invitation?.body)).not.toMatch(/phone|email|name/);
    const { rows } = await surveys.pool.query<{ outcome: string; attempts: number }>(
      `SELECT outcome, attempts FROM notification_deliveries WHERE tenant = $1 AND kind = 'case-survey.invitation'`,
      [tenant],
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.outcome === 'delivered')).toBe(true);
    expect(Math.max(...rows.map((r) => r.attempts))).toBe(2); // the one the gateway refused once
  });

  it('reminds an unanswered survey once, when its timer falls due', async () => {
    await makeDue(`case-survey.remind:${urgentSurvey.surveyId}`);
    await eventually(
      async () =>
        gateway
          .deliveredOn('/surveys')
          .find((w) => w.body.kind === 'case-survey.reminder' && w.body.surveyId === urgentSurvey.surveyId),
      'the reminder',
      30_000,
    );
    const reminded = await surveyOf(urgentCase, (s) => s.remindedAt !== null, 'the reminder recorded');
    expect(reminded.status).toBe('invited');
  });

  it('takes the answer on the answer route, seals the contact, and routes the unsatisfied answer as improvement input', async () => {
    const path = `/case-surveys/${urgentSurvey.surveyId}/answers`;
    const answer = {
      responseSpeed: 2,
      result: 4,
      attitude: 5,
      suggestion: 'Tell me earlier when the carrier loses a parcel',
      contact: { phone: '+86 138 0000 1234' },
    };
    const first = await surveys.call<CaseSurvey>('POST', path, { ...as(['integrator'], 'sms-gateway'), body: answer });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'answered',
      answer: { unsatisfiedDimensions: ['responseSpeed'], contactLeft: true, suggestion: answer.suggestion },
    });
    expect((await surveys.call('POST', path, { ...as(['integrator'], 'sms-gateway'), body: answer })).status).toBe(409);

    // The phone number is nowhere in plaintext: not in the events, not in the view.
    const stored = await surveys.pool.query<{ data: string }>(
      `SELECT data::text AS data FROM es_events WHERE stream_id = $1`,
      [`case-survey-${urgentSurvey.surveyId}`],
    );
    expect(stored.rows.map((r) => r.data).join()).not.toContain('138 0000 1234');
    const view = await surveys.pool.query<{ row: string }>(
      `SELECT row_to_json(v)::text AS row FROM surveys_case_survey_view v WHERE survey_id = $1`,
      [urgentSurvey.surveyId],
    );
    expect(view.rows[0]?.row).not.toContain('138 0000 1234');
    // Opened for a stated purpose by those who call back, and the read is logged.
    const contact = await surveys.call('GET', `/case-surveys/${urgentSurvey.surveyId}/contact?purpose=call%20back`, {
      ...as(['supervisor'], 'supervisor-2'),
    });
    expect(contact.body).toMatchObject({ contact: { phone: '+86 138 0000 1234' } });
    const logged = await surveys.pool.query(
      `SELECT 1 FROM privacy_access_log WHERE tenant = $1 AND customer_id = $2 AND actor = 'supervisor-2' AND purpose = 'call back'`,
      [tenant, customer],
    );
    expect(logged.rowCount).toBe(1);
    expect(
      (await surveys.call('GET', `/case-surveys/${urgentSurvey.surveyId}/contact?purpose=x`, as(['quality']))).status,
    ).toBe(403);

    const [message] = await readTopicWithKcat(Topics.surveys, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === ImprovementInputRaisedV1.type && m.key === urgentSurvey.surveyId,
    });
    expect(message?.headers).toMatchObject({
      ce_source: '/aftersales/surveys',
      ce_subject: urgentSurvey.surveyId,
      tenant,
    });
    const data = JSON.parse(message?.payload ?? '{}') as ImprovementInputRaisedV1;
    expect(validateEvent(ImprovementInputRaisedV1.type, data).ok).toBe(true);
    expect(data).toMatchObject({
      caseId: urgentCase,
      surveyId: urgentSurvey.surveyId,
      customerId: customer,
      team: 'after-sales-east',
      agentId: 'agent-7',
      reasons: ['unsatisfied', 'suggestion'],
      unsatisfiedDimensions: ['responseSpeed'],
      route: 'follow-up-case',
    });
    expect(message?.payload).not.toContain('138 0000');
    expect(message?.payload).not.toContain('carrier loses');
  });

  it('lists the follow-up call of the significant case and records it once', async () => {
    const due = await surveys.call<{ calls: Array<{ surveyId: string; status: string }> }>(
      'GET',
      '/follow-up-calls',
      as(['supervisor']),
    );
    expect(due.body.calls.map((c) => c.surveyId)).toEqual([urgentSurvey.surveyId]);
    const call = await surveys.call<CaseSurvey>('POST', `/case-surveys/${urgentSurvey.surveyId}/follow-up-call`, {
      ...as(['agent'], 'agent-7'),
      body: { outcome: 'reached', note: 'Replacement arrived; customer satisfied now' },
    });
    expect(call.status).toBe(201);
    expect(call.body.followUpCall).toMatchObject({ status: 'made', late: false });
    expect(
      (
        await surveys.call('POST', `/case-surveys/${urgentSurvey.surveyId}/follow-up-call`, {
          ...as(['agent']),
          body: { outcome: 'reached' },
        })
      ).status,
    ).toBe(409);
    expect(
      (await surveys.call<{ calls: unknown[] }>('GET', '/follow-up-calls', as(['supervisor']))).body.calls,
    ).toEqual([]);
  });

  it('expires an unanswered survey when its timer falls due; no answer is taken after', async () => {
    const plain = (await surveysOfCase(plainCase))[0]!;
    await makeDue(`case-survey.expire:${plain.surveyId}`);
    await surveyOf(plainCase, (s) => s.status === 'expired', 'the expired survey');
    const late = await surveys.call('POST', `/case-surveys/${plain.surveyId}/answers`, {
      ...as(['agent']),
      body: { responseSpeed: 5, result: 5, attitude: 5 },
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'SURVEY.EXPIRED' });
  });

  /** The ISO week (`2026-W48`) of an instant in Shanghai, the default calendar's time zone. */
  const isoWeekInShanghai = (at: Date) => {
    const local = new Date(at.getTime() + 8 * 3_600_000);
    const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
    const thursday = new Date(day + (3 - weekday) * 86_400_000);
    const year = thursday.getUTCFullYear();
    const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
    return `${year}-W${String(week).padStart(2, '0')}`;
  };

  it('draws the week’s quality sample per agent reproducibly and records the reviewer’s score on it only', async () => {
    const { rows } = await surveys.pool.query<{ resolved_at: Date }>(
      'SELECT resolved_at FROM surveys_case_register WHERE tenant = $1 AND case_id = $2',
      [tenant, urgentCase],
    );
    const week = isoWeekInShanghai(rows[0]!.resolved_at);
    const quality = as(['quality'], 'quality-1');
    const sample = await surveys.call<{ agents: Array<{ agentId: string; population: number; caseIds: string[] }> }>(
      'GET',
      `/quality-samples?week=${week}`,
      quality,
    );
    expect(sample.status).toBe(200);
    // Only the urgent case was assigned to an agent; the plain one has none to sample it for.
    expect(sample.body.agents).toEqual([{ agentId: 'agent-7', population: 1, caseIds: [urgentCase], reviews: [] }]);
    const again = await surveys.call('GET', `/quality-samples?week=${week}`, quality);
    expect(again.body).toEqual(sample.body);

    const review = await surveys.call('POST', '/quality-samples/reviews', {
      ...quality,
      body: { week, caseId: urgentCase, score: 72, notes: 'Late first answer; the fix was right' },
    });
    expect(review.status).toBe(201);
    expect(review.body).toMatchObject({ caseId: urgentCase, agentId: 'agent-7', score: 72, reviewedBy: 'quality-1' });
    const twice = await surveys.call('POST', '/quality-samples/reviews', {
      ...quality,
      body: { week, caseId: urgentCase, score: 90 },
    });
    expect(twice.status).toBe(409);
    const notDrawn = await surveys.call('POST', '/quality-samples/reviews', {
      ...quality,
      body: { week, caseId: plainCase, score: 90 },
    });
    expect(notDrawn.status).toBe(409);
    expect(notDrawn.body).toMatchObject({ code: 'QUALITY.NOT_IN_SAMPLE' });
    const reviewed = await surveys.call<{ agents: Array<{ reviews: Array<{ score: number }> }> }>(
      'GET',
      `/quality-samples?week=${week}`,
      quality,
    );
    expect(reviewed.body.agents[0]?.reviews.map((r) => r.score)).toEqual([72]);
  });

  it('reports satisfaction per dimension and agent, and the repeat rate of the same problem', async () => {
    const supervisor = as(['supervisor']);
    const byAgent = await surveys.call<{ rows: Array<Record<string, unknown>> }>(
      'GET',
      '/kpis/satisfaction?groupBy=agent&period=month',
      supervisor,
    );
    expect(byAgent.status).toBe(200);
    // (2, 4, 5): sum 11 < 12 → not satisfied; response speed 2 ≤ 2 → unsatisfied on that dimension.
    expect(byAgent.body.rows).toEqual([
      expect.objectContaining({
        group: 'agent-7',
        responses: 1,
        satisfied: 0,
        satisfactionPercent: 0,
        responseSpeed: { average: 2, unsatisfied: 1 },
        result: { average: 4, unsatisfied: 0 },
        attitude: { average: 5, unsatisfied: 0 },
      }),
    ]);

    // The same customer comes back about the same order and problem after the resolution: a repeat.
    const repeatCase = randomUUID();
    await upstream.publish(CaseOpenedV1, {
      ...opened(repeatCase, 'normal'),
      orderId: `ORD-${urgentCase.slice(0, 6)}`,
      openedAt: new Date().toISOString(),
    });
    // Waits for this case by its id, not for a count: while other suites run, real intake services on the same
    // broker may open cases of their own for this tenant (the follow-up case of the improvement input raised above).
    await eventually(
      async () => {
        const { rowCount } = await surveys.pool.query(
          'SELECT 1 FROM surveys_case_register WHERE tenant = $1 AND case_id = $2',
          [tenant, repeatCase],
        );
        return rowCount === 1 ? true : undefined;
      },
      'the repeat case registered',
      30_000,
    );
    const rate = await surveys.call<{ windowDays: number; rows: Array<{ cases: number; repeats: number }> }>(
      'GET',
      '/kpis/repeat-rate?period=month',
      supervisor,
    );
    expect(rate.status).toBe(200);
    expect(rate.body.windowDays).toBe(30);
    expect(rate.body.rows.reduce((n, r) => n + r.cases, 0)).toBeGreaterThanOrEqual(3);
    expect(rate.body.rows.reduce((n, r) => n + r.repeats, 0)).toBe(1);
    expect((await surveys.call('GET', '/kpis/repeat-rate', as(['agent']))).status).toBe(403);
  });

  it('erases the contacts a customer left when intake erases the customer (CustomerDataErasedV1)', async () => {
    await upstream.publish(CustomerDataErasedV1, {
      customerId: customer,
      tenantId: tenant,
      erasedAt: new Date().toISOString(),
    });
    const path = `/case-surveys/${urgentSurvey.surveyId}/contact?purpose=call%20back`;
    await eventually(
      async () => {
        const res = await surveys.call<{ contact: unknown }>('GET', path, as(['supervisor'], 'supervisor-2'));
        return res.status === 200 && res.body.contact === null ? true : undefined;
      },
      'the contact unreadable after the erasure',
      30_000,
    );
    const { rows } = await surveys.pool.query<{ key: Buffer | null; erased_by: string }>(
      'SELECT key, erased_by FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2',
      [tenant, customer],
    );
    expect(rows).toEqual([{ key: null, erased_by: 'system:surveys.customer-data' }]);
  });

  it('keeps every case survey in its tenant', async () => {
    const list = await surveys.call('GET', `/case-surveys?caseId=${urgentCase}`, as(['agent'], 'agent-9', otherTenant));
    expect(list.status).toBe(404);
    const other = as(['agent'], 'agent-9', otherTenant);
    expect((await surveys.call('GET', `/case-surveys/${urgentSurvey.surveyId}`, other)).status).toBe(404);
    expect(
      (
        await surveys.call('POST', `/case-surveys/${urgentSurvey.surveyId}/answers`, {
          ...other,
          body: { responseSpeed: 1, result: 1, attitude: 1 },
        })
      ).status,
    ).toBe(404);
  });
});
