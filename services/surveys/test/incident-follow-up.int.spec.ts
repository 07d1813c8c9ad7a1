import { randomBytes, randomUUID } from 'node:crypto';
import {
  ComplaintAttachedV1,
  IncidentResolvedV1,
  SatisfactionBelowTargetV1,
  SatisfactionMeasuredV1,
  Topics,
  dlqTopic,
  validateEvent,
  type AnyEventContract,
} from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import {
  ContractPublisher,
  contractMessage,
  eventually,
  startTestService,
  type TestService,
} from '@aftersales/test-kit';
import { surveysService } from '../src/surveys.module';

interface SurveyListItem {
  surveyId: string;
  customerRef: string;
  status: 'sent' | 'answered';
  channel: string;
  targetPercent: number;
  level: string;
}
interface Problem {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

// CONTEXT: surveys runs in-process on real Postgres and Kafka. The incidents service is played by this test: it
// produces incidents' contract events with CloudEvents headers to the incidents topic, exactly as the relay would.
// What surveys publishes is read back with kcat, an independent client.
describe('surveys: follow-up of a resolved incident (ComplaintAttached ×10 + IncidentResolved L1 → 10 surveys → 8 of 10 satisfied → below target)', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const incidentId = randomUUID();
  const customers = Array.from(
    { length: 10 },
    (_, i) => `cus-${String(i + 1).padStart(2, '0')}-${randomUUID().slice(0, 6)}`,
  );
  /** The after-sales case each customer's complaint arose from (the published satisfaction names them). */
  const caseOf = new Map(customers.map((customer) => [customer, randomUUID()]));
  const tokens: Record<string, string> = {};

  let surveys: TestService;
  let upstream: ContractPublisher;
  let resolvedMessage: { key: string; value: string; headers: Record<string, string> };

  beforeAll(async () => {
    surveys = await startTestService(surveysService, {
      env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    const sign = (subject: string, roles: string[], t = tenant) => surveys.token({ subject, tenant: t, roles });
    tokens.agent = await sign('agent-7', ['agent']);
    tokens.integrator = await sign('sms-gateway', ['integrator']);
    tokens.quality = await sign('quality-1', ['quality']);
    tokens.supervisor = await sign('supervisor-2', ['supervisor']);
    tokens.pr = await sign('pr-1', ['pr']);
    tokens.otherAgent = await sign('agent-9', ['agent'], otherTenant);
    tokens.otherQuality = await sign('quality-9', ['quality'], otherTenant);
    upstream = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await upstream?.close();
    await surveys?.close();
  });

  /** An incidents event as the incidents relay publishes it: binary-mode CloudEvents, keyed by the incident id. */
  const attachedData = (customerId: string, tenantId = tenant) => ({
    incidentId,
    tenantId,
    complaintId: randomUUID(),
    customerId,
    attachedAt: new Date().toISOString(),
    ...(caseOf.has(customerId) ? { caseId: caseOf.get(customerId) } : {}),
  });
  const incidentsMessage = (contract: AnyEventContract, data: Record<string, unknown>) => {
    const message = contractMessage(contract, data as never, { tenant, correlationId: `corr-${incidentId}` });
    return { key: message.key as string, value: String(message.value), headers: { ...message.headers } };
  };

  const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${surveys.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;
  const surveysOf = async (token = tokens.agent!) => {
    const res = await call('GET', `/surveys?incidentId=${incidentId}`, token);
    return res.status === 200 ? (await json<{ surveys: SurveyListItem[] }>(res)).surveys : undefined;
  };
  const surveySentCount = async () => {
    const { rows } = await surveys.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM es_events WHERE type = 'SurveySent' AND data->>'incidentId' = $1`,
      [incidentId],
    );
    return Number(rows[0]?.n);
  };

  let sent: SurveyListItem[] = [];

  it('sends one survey per affected customer, on the inbox, when the incident is resolved', async () => {
    const attached = customers.map((customerId) => incidentsMessage(ComplaintAttachedV1, attachedData(customerId)));
    resolvedMessage = incidentsMessage(IncidentResolvedV1, {
      incidentId,
      tenantId: tenant,
      level: 'L1',
      summary: 'Power banks of batch B-7 swelled; batch recalled and replaced',
      satisfactionTarget: 90,
      retrospectiveDueAt: new Date(Date.now() + 24 * 3_600_000).toISOString(),
      resolvedAt: new Date().toISOString(),
    });
    for (const m of [...attached, resolvedMessage])
      expect(validateEvent(m.headers.ce_type, JSON.parse(m.value)).ok).toBe(true);
    await upstream.raw(Topics.incidents, [...attached, resolvedMessage]);

    sent = await eventually(
      async () => {
        const list = await surveysOf();
        return list && list.length >= 10 ? list : undefined;
      },
      '10 surveys of the incident',
      60_000,
    );
    expect(sent).toHaveLength(10);
    expect(new Set(sent.map((s) => s.customerRef))).toEqual(new Set(customers));
    for (const s of sent) expect(s).toMatchObject({ status: 'sent', channel: 'sms', targetPercent: 90, level: 'L1' });

    const satisfaction = await json(await call('GET', `/incidents/${incidentId}/satisfaction`, tokens.supervisor!));
    expect(satisfaction).toEqual({
      incidentId,
      level: 'L1',
      targetPercent: 90,
      surveyed: 10,
      responses: 0,
      satisfied: 0,
      satisfactionPercent: null,
      belowTarget: null,
      measuredAt: null,
    });
  });

  it('a redelivered IncidentResolved sends no second survey (same event id, and the same resolution under a new id)', async () => {
    const again = { ...resolvedMessage, headers: { ...resolvedMessage.headers, ce_id: randomUUID() } };
    await upstream.raw(Topics.incidents, [resolvedMessage, again]);
    // Same key → same partition: once the later message is in the inbox, the redelivery before it was handled too.
    await eventually(
      async () => {
        const { rowCount } = await surveys.pool.query('SELECT 1 FROM es_inbox WHERE consumer = $1 AND event_id = $2', [
          'surveys.incident-follow-up',
          again.headers.ce_id,
        ]);
        return rowCount ? true : undefined;
      },
      'the repeated resolution in the inbox',
      30_000,
    );

    expect(await surveySentCount()).toBe(10);
    expect(await surveysOf()).toHaveLength(10);
  });

  it('refuses invalid answers with 400 and the offending fields', async () => {
    const res = await call('POST', `/surveys/${sent[0]!.surveyId}/answers`, tokens.agent!, {
      responseSpeed: 0,
      attitude: 3.5,
      answeredVia: 'fax',
      mood: 'happy',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json<Problem>(res);
    expect(problem.code).toBe('REQUEST.INVALID');
    expect(problem.errors?.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/responseSpeed', '/result', '/attitude', '/answeredVia', '/mood']),
    );
    expect((await call('GET', '/surveys?incidentId=not-a-uuid', tokens.agent!)).status).toBe(400);
    expect((await call('GET', '/surveys', tokens.agent!)).status).toBe(400);
  });

  it('records 10 answers, 8 satisfied: 8 / 10 = 80 % < 90 % (L1) → SatisfactionBelowTarget on aftersales.surveys.events', async () => {
    const satisfied = { responseSpeed: 5, result: 4, attitude: 5 }; // mean 4.67 ≥ 4
    const unsatisfied = { responseSpeed: 2, result: 3, attitude: 2 }; // mean 2.33 < 4
    const answers = sent.map((s, i) =>
      i < 8
        ? { surveyId: s.surveyId, body: satisfied }
        : {
            surveyId: s.surveyId,
            body: { ...unsatisfied, suggestion: `Nobody called me back (${i})`, answeredVia: 'phone' },
          },
    );
    // The first one with an Idempotency-Key, to replay it below; the rest all at once (they race for the incident's stream).
    const [first, ...rest] = answers;
    const firstRes = await call('POST', `/surveys/${first!.surveyId}/answers`, tokens.agent!, first!.body, {
      'idempotency-key': 'call-1',
    });
    expect(firstRes.status).toBe(201);
    const responses = await Promise.all(
      rest.map((a, i) =>
        call('POST', `/surveys/${a.surveyId}/answers`, i % 2 ? tokens.agent! : tokens.integrator!, a.body),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(rest.map(() => 201));
    const last = await json<{ satisfaction: Record<string, unknown> }>(responses.at(-1)!);
    expect(last.satisfaction).toMatchObject({ incidentId, surveyed: 10, targetPercent: 90 });

    const satisfaction = await json(await call('GET', `/incidents/${incidentId}/satisfaction`, tokens.agent!));
    expect(satisfaction).toMatchObject({
      incidentId,
      level: 'L1',
      targetPercent: 90,
      surveyed: 10,
      responses: 10,
      satisfied: 8,
      satisfactionPercent: 80,
      belowTarget: true,
    });

    const [below] = await readTopicWithKcat(Topics.surveys, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === SatisfactionBelowTargetV1.type && m.key === incidentId,
    });
    expect(below?.headers).toMatchObject({ ce_source: '/aftersales/surveys', ce_subject: incidentId, ce_tenantid: tenant });
    const belowData = JSON.parse(below?.payload ?? '{}') as SatisfactionBelowTargetV1;
    expect(validateEvent(SatisfactionBelowTargetV1.type, belowData).ok).toBe(true);
    expect(belowData).toMatchObject({ incidentId, tenantId: tenant, targetPercent: 90 });
    expect(belowData.satisfactionPercent).toBeLessThan(90);
    // The fall below the target concerns every customer's case; each measurement the case of the customer who answered.
    expect(new Set(belowData.caseIds)).toEqual(new Set(caseOf.values()));

    // One measurement per answer; the last one (by offset: one incident → one partition) is the final figure.
    const measured = await readTopicWithKcat(Topics.surveys, {
      count: 10,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === SatisfactionMeasuredV1.type && m.key === incidentId,
    });
    expect(measured).toHaveLength(10);
    const customerOfSurvey = new Map(sent.map((s) => [s.surveyId, s.customerRef]));
    for (const message of measured) {
      const { surveyId, caseIds } = JSON.parse(message.payload) as SatisfactionMeasuredV1;
      expect(caseIds).toEqual([caseOf.get(customerOfSurvey.get(surveyId as string) as string)]);
    }
    const final = JSON.parse(
      [...measured].sort((a, b) => a.offset - b.offset).at(-1)!.payload,
    ) as SatisfactionMeasuredV1;
    expect(final).toMatchObject({
      incidentId,
      tenantId: tenant,
      satisfactionPercent: 80,
      targetPercent: 90,
      responses: 10,
      surveyed: 10,
      belowTarget: true,
    });
  });

  it('a second answer is a conflict (409); the same request replayed with its Idempotency-Key is not', async () => {
    const surveyId = sent[0]!.surveyId;
    const replay = await call(
      'POST',
      `/surveys/${surveyId}/answers`,
      tokens.agent!,
      { responseSpeed: 5, result: 4, attitude: 5 },
      {
        'idempotency-key': 'call-1',
      },
    );
    expect(replay.status).toBe(201);
    expect(await json(replay)).toMatchObject({ surveyId, status: 'answered', satisfaction: { responses: 10 } });

    const second = await call('POST', `/surveys/${surveyId}/answers`, tokens.agent!, {
      responseSpeed: 1,
      result: 1,
      attitude: 1,
    });
    expect(second.status).toBe(409);
    expect(await json<Problem>(second)).toMatchObject({ status: 409, code: 'SURVEY.ALREADY_ANSWERED' });
    const satisfaction = await json(await call('GET', `/incidents/${incidentId}/satisfaction`, tokens.agent!));
    expect(satisfaction).toMatchObject({ responses: 10, satisfied: 8 });
  });

  it('keeps unsatisfied answers and suggestions as improvement input', async () => {
    const res = await call('GET', `/incidents/${incidentId}/suggestions`, tokens.quality!);
    expect(res.status).toBe(200);
    const { items } = await json<{ items: Array<Record<string, unknown>> }>(res);
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item).toMatchObject({ satisfied: false, responseSpeed: 2, result: 3, attitude: 2, answeredVia: 'phone' });
      expect(item.suggestion).toMatch(/^Nobody called me back/);
    }
    // Improvement input is for the departments that act on it, not for every agent.
    expect((await call('GET', `/incidents/${incidentId}/suggestions`, tokens.agent!)).status).toBe(403);
  });

  it('isolates tenants: another tenant gets 404 on every read and write; a role without the right gets 403', async () => {
    const surveyId = sent[9]!.surveyId;
    const answer = { responseSpeed: 5, result: 5, attitude: 5 };
    expect((await call('GET', `/surveys?incidentId=${incidentId}`, tokens.otherAgent!)).status).toBe(404);
    expect((await call('GET', `/surveys/${surveyId}`, tokens.otherAgent!)).status).toBe(404);
    expect((await call('POST', `/surveys/${surveyId}/answers`, tokens.otherAgent!, answer)).status).toBe(404);
    expect((await call('GET', `/incidents/${incidentId}/satisfaction`, tokens.otherAgent!)).status).toBe(404);
    expect((await call('GET', `/incidents/${incidentId}/suggestions`, tokens.otherQuality!)).status).toBe(404);
    expect((await call('POST', `/surveys/${randomUUID()}/answers`, tokens.agent!, answer)).status).toBe(404);

    expect((await call('POST', `/surveys/${surveyId}/answers`, tokens.pr!, answer)).status).toBe(403);
    expect((await call('GET', `/surveys/${surveyId}`, tokens.agent!)).status).toBe(200);
  });

  it('surveys a customer attached after the resolution at once; a payload of another tenant is dead-lettered', async () => {
    const late = `cus-late-${randomUUID().slice(0, 6)}`;
    const forged = incidentsMessage(
      ComplaintAttachedV1,
      attachedData(`cus-forged-${randomUUID().slice(0, 6)}`, otherTenant),
    );
    await upstream.raw(Topics.incidents, [forged, incidentsMessage(ComplaintAttachedV1, attachedData(late))]);
    const list = await eventually(
      async () => {
        const surveysNow = await surveysOf();
        return surveysNow?.some((s) => s.customerRef === late) ? surveysNow : undefined;
      },
      'a survey for the late customer',
      30_000,
    );
    expect(list).toHaveLength(11);
    expect(list.find((s) => s.customerRef === late)).toMatchObject({ status: 'sent', targetPercent: 90, level: 'L1' });
    expect(await json(await call('GET', `/incidents/${incidentId}/satisfaction`, tokens.agent!))).toMatchObject({
      surveyed: 11,
      responses: 10,
      satisfactionPercent: 80,
    });

    const [dead] = await readTopicWithKcat(dlqTopic('surveys', 'incident-follow-up'), {
      count: 1,
      timeoutMs: 20_000,
      until: (m) => m.headers.ce_id === forged.headers.ce_id,
    });
    expect(dead?.headers).toMatchObject({
      dlq_error_code: 'TENANT_MISMATCH',
      dlq_source_topic: Topics.incidents,
      tenant,
    });
    expect(dead?.headers.dlq_reason).toContain('differs from the tenant header');
  });
});
