import { randomUUID } from 'node:crypto';
import {
  CLOUDEVENTS_SPEC_VERSION,
  EVENT_CONTENT_TYPE,
  eventSource,
  IncidentDowngradedV1,
  IncidentMergedV1,
  ResponseTeamPagedV1,
  Topics,
  validateEvent,
} from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { incidentStream } from '../../application/incident-streams';
import { incidentRules, type IncidentEvent } from '../../domain';
import { incidentsService } from '../../incidents.module';
import { UpstreamProducer } from '../../testing/incidents.harness';

interface Problem {
  status: number;
  code: string;
  rule?: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

interface Summary {
  incidentId: string;
  status: string;
  level: string;
  contactDueAt: string | null;
  appended: string[];
  duplicate: boolean;
}

// CONTEXT: the HTTP commands of the incidents service, in-process on real Postgres and Kafka: roles (route guard and
// the domain's per-tenant rules), tenant isolation, validation, idempotency, per-tenant policies, and the whole
// lifecycle up to closing, with satisfaction arriving from surveys over Kafka.
describe('incidents HTTP commands (real Postgres + Kafka)', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const policyTenant = uniqueName('shop');
  const webhookTenant = uniqueName('shop');
  let incidents: TestService;
  let upstream: UpstreamProducer;

  beforeAll(async () => {
    upstream = new UpstreamProducer();
    await upstream.start();
    incidents = await startTestService(incidentsService, {
      env: {
        INCIDENTS_POLICY_CACHE_MS: '0',
        // The pager hosts tenants may name: one by name (http too), one port of another, https subdomains of a third.
        INCIDENTS_PAGER_ALLOWED_HOSTS: 'pager.example.com,pager.example.net:8443,*.hooks.example.org,127.0.0.1',
      },
    });
  });

  afterAll(async () => {
    await incidents?.close();
    await upstream?.stop();
  });

  const call = async (
    method: string,
    path: string,
    role: string,
    body?: unknown,
    options: { tenant?: string; headers?: Record<string, string> } = {},
  ) => {
    const token = await incidents.token({ subject: `${role}-1`, tenant: options.tenant ?? tenant, roles: [role] });
    const res = await fetch(`${incidents.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...options.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };
  const summaryOf = (res: { body: Record<string, unknown> }) => res.body as unknown as Summary;
  const problemOf = (res: { body: Record<string, unknown> }) => res.body as unknown as Problem;

  const declare = async (overrides: Record<string, unknown> = {}, role = 'cs-manager', t = tenant) => {
    const res = await call(
      'POST',
      '/incidents',
      role,
      {
        category: 'product-quality',
        level: 'L3',
        summary: 'Power banks of batch B-9 swell',
        reason: 'Reported by the warehouse QC team',
        ...overrides,
      },
      { tenant: t },
    );
    expect(res.status).toBe(201);
    return summaryOf(res);
  };

  const streamOf = async (incidentId: string) =>
    (
      await incidents.pool.query<{ type: IncidentEvent['type']; data: IncidentEvent['data'] }>(
        'SELECT type, data FROM es_events WHERE stream_id = $1 ORDER BY stream_version',
        [incidentStream(incidentId)],
      )
    ).rows as IncidentEvent[];
  const typesOf = async (incidentId: string) => (await streamOf(incidentId)).map((e) => e.type);
  const timer = async (timerId: string) =>
    (
      await incidents.pool.query<{ due_at: Date; cancelled_at: Date | null; fired_at: Date | null }>(
        'SELECT due_at, cancelled_at, fired_at FROM es_timers WHERE timer_id = $1',
        [timerId],
      )
    ).rows[0];

  /**
   * The one message integrators read (with kcat) for the stored event of `domainType` on the incident's stream: its
   * CloudEvents headers are checked and its payload validated against the contract of its `ce_type`.
   */
  const publishedFor = async (incidentId: string, domainType: IncidentEvent['type'], ceType: string) => {
    const { rows } = await incidents.pool.query<{ event_id: string }>(
      'SELECT event_id FROM es_events WHERE stream_id = $1 AND type = $2',
      [incidentStream(incidentId), domainType],
    );
    expect(rows).toHaveLength(1);
    const eventId = rows[0]?.event_id;
    const messages = await readTopicWithKcat(Topics.incidents, {
      count: 1,
      until: (m) => m.headers.ce_type === ceType && m.headers.ce_subject === incidentId,
      timeoutMs: 30_000,
    });
    // At-least-once: a redelivery is the same event (same ce_id), never another one.
    expect(new Set(messages.map((m) => m.headers.ce_id))).toEqual(new Set([eventId]));
    const message = messages[0];
    if (!message) throw new Error(`no ${ceType} for ${incidentId}`);
    expect(message.key).toBe(incidentId);
    expect(message.headers).toMatchObject({
      ce_specversion: CLOUDEVENTS_SPEC_VERSION,
      ce_id: eventId,
      ce_type: ceType,
      ce_source: eventSource('incidents'),
      ce_subject: incidentId,
      'content-type': EVENT_CONTENT_TYPE,
      ce_tenantid: tenant,
      ce_correlationid: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(message.headers.ce_time ?? ''))).toBe(false);
    const payload: unknown = JSON.parse(message.payload);
    const validation = validateEvent(ceType, payload);
    expect(validation.ok ? null : validation.message).toBeNull();
    return payload as Record<string, unknown>;
  };

  describe('POST /incidents (declare)', () => {
    it('declares an incident: 201, Location, paged, contact deadline of its level, durable timer', async () => {
      const res = await call('POST', '/incidents', 'cs-director', {
        category: 'service-failure',
        level: 'L2',
        summary: 'Deliveries in CN-EAST not notified of delays',
        reason: 'Regional outage reported by logistics',
      });
      expect(res.status).toBe(201);
      const summary = summaryOf(res);
      expect(res.headers.get('location')).toBe(`/incidents/${summary.incidentId}`);
      expect(summary).toMatchObject({
        status: 'activation',
        level: 'L2',
        appended: ['IncidentOpened', 'ResponseTeamPaged', 'ContactDeadlineSet'],
        duplicate: false,
      });
      const [opened] = await streamOf(summary.incidentId);
      const openedAt = Date.parse((opened?.data as { at: string }).at);
      expect(Date.parse(summary.contactDueAt as string) - openedAt).toBe(60 * 60_000);
      expect((await timer(`incident:${summary.incidentId}:contact-deadline`))?.due_at.toISOString()).toBe(
        summary.contactDueAt,
      );
      // No pager webhook anywhere: the page is recorded as delivered to 'none' (Kafka carries it).
      await eventually(async () => {
        const { rows } = await incidents.pool.query(`SELECT target FROM pager_deliveries WHERE incident_id = $1`, [
          summary.incidentId,
        ]);
        return rows[0]?.target === 'none' ? true : undefined;
      }, 'the page recorded as delivered to none');
    });

    // Seed 004 §4(一)2: level 1 is graded by emergency leadership; others propose it (issue 13).
    it('a cs-manager declaring level 1 gets level 2, and the level-1 proposal is paged and published', async () => {
      const res = await call('POST', '/incidents', 'cs-manager', {
        category: 'product-quality',
        level: 'L1',
        summary: 'A video of a burning power bank is spreading',
        reason: 'Media exposure risk',
      });
      expect(res.status).toBe(201);
      const summary = summaryOf(res);
      expect(summary).toMatchObject({
        level: 'L2',
        appended: [
          'IncidentOpened',
          'ResponseTeamPaged',
          'ContactDeadlineSet',
          'LevelOneProposed',
          'ResponseTeamPaged',
        ],
      });
      const messages = await readTopicWithKcat(Topics.incidents, {
        count: 1,
        until: (m) =>
          m.key === summary.incidentId &&
          m.headers.ce_type === ResponseTeamPagedV1.type &&
          m.payload.includes('level-one-proposal'),
        timeoutMs: 30_000,
      });
      const page = JSON.parse(messages[0]?.payload ?? '{}') as ResponseTeamPagedV1;
      expect(validateEvent(ResponseTeamPagedV1.type, page).ok).toBe(true);
      expect(page).toMatchObject({
        level: 'L1',
        trigger: 'level-one-proposal',
        team: { lead: 'general-manager', members: ['incident-commander', 'cs-director'] },
      });
      // Leadership decides: the cs-director raises it to level 1.
      const raised = await call('POST', `/incidents/${summary.incidentId}/upgrade`, 'cs-director', {
        toLevel: 'L1',
        reason: 'Confirmed: media exposure',
      });
      expect(raised.status).toBe(200);
      expect(summaryOf(raised).level).toBe('L1');
    });

    it('honours Idempotency-Key: a retried declaration returns the same incident and appends nothing', async () => {
      const headers = { 'idempotency-key': randomUUID() };
      const body = { category: 'product-quality', level: 'L3', summary: 'Kettles leak', reason: 'Staff report' };
      const first = await call('POST', '/incidents', 'cs-manager', body, { headers });
      const again = await call('POST', '/incidents', 'cs-manager', body, { headers });
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(summaryOf(again)).toMatchObject({
        incidentId: summaryOf(first).incidentId,
        duplicate: true,
        appended: [],
      });
      expect(await typesOf(summaryOf(first).incidentId)).toEqual([
        'IncidentOpened',
        'ResponseTeamPaged',
        'ContactDeadlineSet',
      ]);
    });

    it('answers 400 with one error per field for an invalid body', async () => {
      const res = await call('POST', '/incidents', 'cs-manager', { category: 'weather', level: 'L4', extra: true });
      expect(res.status).toBe(400);
      const pointers = problemOf(res).errors?.map((e) => e.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/category', '/level', '/summary', '/reason', '/extra']));
    });

    it('answers 403 to a role that may not declare', async () => {
      const res = await call('POST', '/incidents', 'agent', {
        category: 'product-quality',
        level: 'L3',
        summary: 'x',
        reason: 'y',
      });
      expect(res.status).toBe(403);
    });
  });

  describe('commands on an incident', () => {
    it("answers 404 for another tenant's incident, and leaves it untouched", async () => {
      const { incidentId } = await declare();
      const res = await call(
        'POST',
        `/incidents/${incidentId}/contacts`,
        'agent',
        { customerRefs: ['cus-1'], summary: 'Called' },
        { tenant: otherTenant },
      );
      expect(res.status).toBe(404);
      expect(problemOf(res).code).toBe('INCIDENT.NOT_FOUND');
      expect(await typesOf(incidentId)).toHaveLength(3);
      expect((await call('POST', `/incidents/${randomUUID()}/resolve`, 'cs-manager', { summary: 'x' })).status).toBe(
        404,
      );
      expect((await call('POST', '/incidents/not-a-uuid/resolve', 'cs-manager', { summary: 'x' })).status).toBe(400);
    });

    it('answers 409 with the rule for a transition the phase does not allow', async () => {
      const { incidentId } = await declare();
      const early = await call('POST', `/incidents/${incidentId}/root-cause`, 'tech-support', {
        rootCause: 'Separator film too thin',
        directCause: 'Cells overheat',
      });
      expect(early.status).toBe(409);
      expect(problemOf(early)).toMatchObject({
        code: 'INCIDENT.INVALID_TRANSITION',
        rule: incidentRules.rootCauseAfterContact,
      });
      const down = await call('POST', `/incidents/${incidentId}/upgrade`, 'cs-manager', { toLevel: 'L3', reason: 'x' });
      expect(down.status).toBe(200); // upgrading to the current level is a no-op
      expect(summaryOf(down).appended).toEqual([]);
    });

    it('an upgrade pages the new team and tightens the deadline and its timer; a downgrade needs the policy role', async () => {
      const { incidentId, contactDueAt } = await declare();
      const up = await call('POST', `/incidents/${incidentId}/upgrade`, 'cs-manager', {
        toLevel: 'L2',
        reason: 'Ten more customers called',
      });
      expect(up.status).toBe(200);
      expect(summaryOf(up)).toMatchObject({
        level: 'L2',
        appended: ['IncidentUpgraded', 'ResponseTeamPaged', 'ContactDeadlineSet'],
      });
      const tightened = summaryOf(up).contactDueAt as string;
      expect(Date.parse(tightened)).toBeLessThan(Date.parse(contactDueAt as string));
      expect((await timer(`incident:${incidentId}:contact-deadline`))?.due_at.toISOString()).toBe(tightened);

      const refused = await call('POST', `/incidents/${incidentId}/downgrade`, 'cs-manager', {
        toLevel: 'L3',
        reason: 'Local problem after all',
      });
      expect(refused.status).toBe(403);
      expect(problemOf(refused)).toMatchObject({
        code: 'INCIDENT.DOWNGRADE_FORBIDDEN',
        rule: incidentRules.downgradeRoles,
      });
      const down = await call('POST', `/incidents/${incidentId}/downgrade`, 'cs-director', {
        toLevel: 'L3',
        reason: 'Local problem after all',
      });
      expect(down.status).toBe(200);
      // A downgrade keeps the stricter deadline.
      expect(summaryOf(down)).toMatchObject({ level: 'L3', contactDueAt: tightened });

      // Integrators see the downgrade on Kafka, with who decided it under which role.
      const [downgraded] = (await streamOf(incidentId)).filter((e) => e.type === 'IncidentDowngraded');
      expect(await publishedFor(incidentId, 'IncidentDowngraded', IncidentDowngradedV1.type)).toEqual({
        incidentId,
        tenantId: tenant,
        fromLevel: 'L2',
        toLevel: 'L3',
        reason: 'Local problem after all',
        decidedBy: { id: 'cs-director-1', role: 'cs-director' },
        downgradedAt: downgraded?.data.at,
      });
    });

    it('a merge ends the duplicate and its deadline, and the survivor absorbs it in the same transaction', async () => {
      const survivor = await declare();
      const duplicate = await declare({ level: 'L2' });
      const foreign = await declare({}, 'cs-manager', otherTenant);
      const intoForeign = await call('POST', `/incidents/${duplicate.incidentId}/merge`, 'cs-director', {
        survivorId: foreign.incidentId,
        reason: 'Same batch',
      });
      expect(intoForeign.status).toBe(404);
      expect(await typesOf(duplicate.incidentId)).not.toContain('IncidentMerged'); // rolled back as a whole

      const merged = await call('POST', `/incidents/${duplicate.incidentId}/merge`, 'cs-director', {
        survivorId: survivor.incidentId,
        reason: 'Same batch as the declared one',
      });
      expect(merged.status).toBe(200);
      expect(summaryOf(merged).status).toBe('merged');
      expect((await timer(`incident:${duplicate.incidentId}:contact-deadline`))?.cancelled_at).not.toBeNull();
      // The survivor (L3) takes the duplicate's level (L2), is paged, and its deadline tightens to the earlier one.
      expect(await typesOf(survivor.incidentId)).toEqual([
        'IncidentOpened',
        'ResponseTeamPaged',
        'ContactDeadlineSet',
        'DuplicateAbsorbed',
        'IncidentUpgraded',
        'ResponseTeamPaged',
        'ContactDeadlineSet',
      ]);

      // Integrators see the merge on the duplicate's key, naming the survivor; the survivor's escalation on its own.
      const [mergedEvent] = (await streamOf(duplicate.incidentId)).filter((e) => e.type === 'IncidentMerged');
      expect(await publishedFor(duplicate.incidentId, 'IncidentMerged', IncidentMergedV1.type)).toEqual({
        incidentId: duplicate.incidentId,
        tenantId: tenant,
        survivorIncidentId: survivor.incidentId,
        level: 'L2',
        reason: 'Same batch as the declared one',
        mergedAt: mergedEvent?.data.at,
      });
      expect(
        await publishedFor(survivor.incidentId, 'IncidentUpgraded', 'aftersales.incidents.incident-escalated.v1'),
      ).toMatchObject({ incidentId: survivor.incidentId, fromLevel: 'L3', toLevel: 'L2' });
    });

    it('the lifecycle: contact → cause → approval (L1 needs leadership: 403 for an agent) → resolution → satisfaction from surveys → follow-up → retrospective → closed', async () => {
      const { incidentId } = await declare({ level: 'L1', summary: 'Heaters of batch H-2 catch fire' }, 'cs-director');
      const step = async (path: string, role: string, body: unknown, status = 200) => {
        const res = await call('POST', `/incidents/${incidentId}/${path}`, role, body);
        expect({ path, status: res.status, body: res.status === status ? undefined : res.body }).toEqual({
          path,
          status,
          body: undefined,
        });
        return res;
      };
      await step('contacts', 'agent', { customerRefs: ['cus-1', 'cus-2'], summary: 'Apologised, explained' });
      // CONTEXT: contact is per customer; the deadline's timer stays and, at the deadline, finds both contacted in time.
      expect((await timer(`incident:${incidentId}:contact-deadline`))?.cancelled_at).toBeNull();
      await step('temporary-measures', 'agent', { measure: 'temporary-refund', description: 'Refunded both orders' });
      await step('root-cause', 'tech-support', { rootCause: 'Faulty thermostat', directCause: 'Overheating' });

      const approval = { solution: { kind: 'recall', description: 'Recall batch H-2' } };
      const forbidden = await step('solution-approval', 'agent', approval, 403);
      expect(problemOf(forbidden)).toMatchObject({
        code: 'INCIDENT.APPROVAL_FORBIDDEN',
        rule: incidentRules.approvalRoles,
      });
      await step('solution-approval', 'general-manager', approval);
      await step('implementation', 'logistics', { progress: 'All units collected', completed: true });
      await step('customer-confirmations', 'agent', { customerRef: 'cus-1', satisfaction: 'satisfied' });
      // Both affected customers confirm by default (policy confirmationSharePercent 100): one is not enough.
      const halfConfirmed = await step('resolve', 'cs-manager', { summary: 'Batch recalled and replaced' }, 409);
      expect(problemOf(halfConfirmed)).toMatchObject({
        code: 'INCIDENT.RESOLUTION_INCOMPLETE',
        rule: incidentRules.resolveWhenConfirmed,
      });
      await step('customer-confirmations', 'agent', { customerRef: 'cus-2', satisfaction: 'neutral' });
      const resolved = await step('resolve', 'cs-manager', { summary: 'Batch recalled and replaced' });
      expect(summaryOf(resolved).status).toBe('follow-up');
      // The retrospective's reminder (6 h before) and due date (24 h after resolution at L1) are durable timers.
      const [resolvedEvent] = (await streamOf(incidentId)).filter((e) => e.type === 'IncidentResolved');
      const { retrospectiveDueAt, retrospectiveReminderAt } = resolvedEvent?.data as {
        retrospectiveDueAt: string;
        retrospectiveReminderAt: string;
      };
      expect(Date.parse(retrospectiveDueAt) - Date.parse(retrospectiveReminderAt)).toBe(6 * 3_600_000);
      const overdueTimer = await timer(`incident:${incidentId}:retrospective-overdue`);
      expect(overdueTimer?.due_at.toISOString()).toBe(retrospectiveDueAt);
      expect(overdueTimer?.cancelled_at).toBeNull();
      expect((await timer(`incident:${incidentId}:retrospective-reminder`))?.due_at.toISOString()).toBe(
        retrospectiveReminderAt,
      );

      // Surveys measures 80 % against the L1 target of 90 %: a follow-up is owed before closing.
      await upstream.satisfaction(tenant, {
        incidentId,
        tenantId: tenant,
        satisfactionPercent: 80,
        targetPercent: 90,
        responses: 10,
        surveyed: 12,
        belowTarget: true,
        measuredAt: new Date().toISOString(),
      });
      await eventually(
        async () => ((await typesOf(incidentId)).includes('FollowUpRequired') ? true : undefined),
        'the satisfaction recorded from Kafka',
      );
      const [recorded] = (await streamOf(incidentId)).filter((e) => e.type === 'SatisfactionRecorded');
      expect(recorded?.data).toMatchObject({ percent: 80, targetPercent: 90, meetsTarget: false, responses: 10 });

      await step('retrospective', 'cs-director', {
        what: 'Heaters of batch H-2 overheated',
        why: 'Faulty thermostat from supplier S-9',
        who: 'Supplier S-9; incoming QC',
        when: [{ at: new Date().toISOString(), what: 'Recall completed' }],
        where: 'Batch H-2, all regions',
        how: 'Detected by complaints; recalled',
        improvementActions: [{ action: 'Test thermostats per batch', owner: 'quality' }],
      });
      // Recorded: neither the reminder nor the escalation will fire.
      expect((await timer(`incident:${incidentId}:retrospective-overdue`))?.cancelled_at).not.toBeNull();
      expect((await timer(`incident:${incidentId}:retrospective-reminder`))?.cancelled_at).not.toBeNull();
      const early = await step('close', 'cs-manager', {}, 409);
      expect(problemOf(early)).toMatchObject({
        code: 'INCIDENT.FOLLOW_UP_OUTSTANDING',
        rule: incidentRules.followUpBelowTarget,
      });
      expect((await call('POST', `/incidents/${incidentId}/close`, 'agent', {})).status).toBe(403);
      await step('follow-ups', 'agent', { action: 'additional-compensation', description: 'Offered a coupon' });
      // Closure checks (seed 004 §4(三)2–3, §5): the quality group, recall compliance (product quality), PR (level 1).
      await step('quality-check', 'agent', { passed: true, findings: 'Checked' }, 403);
      await step('quality-check', 'quality', { passed: true, findings: 'Replacement heaters sampled: within spec' });
      await step('recall-compliance', 'legal', {
        recallRequired: true,
        compliant: true,
        basis: 'Recall notified to the regulator and executed',
      });
      const noStatement = await step('close', 'cs-manager', {}, 409);
      expect(problemOf(noStatement)).toMatchObject({
        code: 'INCIDENT.CLOSURE_CHECKS_MISSING',
        rule: incidentRules.closureChecks,
      });
      await step('pr-statements', 'pr', { statement: 'Batch H-2 recalled; owners contacted', channels: ['website'] });
      const closed = await step('close', 'cs-manager', { reason: 'All customers followed up' });
      expect(summaryOf(closed).status).toBe('closed');

      // Integrators: the resolution carries the L1 satisfaction target; the closing is published.
      const { rows } = await incidents.pool.query<{ event_id: string }>(
        `SELECT event_id FROM es_events WHERE stream_id = $1 AND type IN ('IncidentResolved', 'IncidentClosed')`,
        [incidentStream(incidentId)],
      );
      const ids = new Set(rows.map((r) => r.event_id));
      const published = await readTopicWithKcat(Topics.incidents, {
        count: 2,
        until: (m) => ids.has(m.headers.ce_id ?? ''),
        timeoutMs: 30_000,
      });
      const byType = new Map(
        published.map((m) => [m.headers.ce_type, JSON.parse(m.payload) as Record<string, unknown>]),
      );
      expect(byType.get('aftersales.incidents.incident-resolved.v1')).toMatchObject({
        incidentId,
        tenantId: tenant,
        level: 'L1',
        satisfactionTarget: 90,
      });
      expect(byType.get('aftersales.incidents.incident-closed.v1')).toMatchObject({ incidentId, level: 'L1' });
    });
  });

  describe('GET/PUT /policies (admin): every number is the tenant policy', () => {
    it('shows the defaults, refuses non-admins, validates, records who changed it, and the rules use it', async () => {
      const initial = await call('GET', '/policies', 'admin', undefined, { tenant: policyTenant });
      expect(initial.status).toBe(200);
      expect(initial.body).toMatchObject({
        tenant: policyTenant,
        overrides: {},
        effective: { contactDeadlineMinutes: { L1: 30, L2: 60, L3: 120 } },
        pager: { webhookUrl: null },
        updatedBy: null,
      });
      const put = (body: unknown, role = 'admin') => call('PUT', '/policies', role, body, { tenant: policyTenant });

      expect((await put({ overrides: {} }, 'cs-director')).status).toBe(403);
      const malformed = await put({ overrides: { contactDeadlineMinutes: { L1: -5 }, thresholds: 3 } });
      expect(malformed.status).toBe(400);
      expect(problemOf(malformed).errors?.map((e) => e.pointer)).toEqual(
        expect.arrayContaining(['/overrides/contactDeadlineMinutes/L1', '/overrides/thresholds']),
      );
      const inconsistent = await put({ overrides: { clustering: { levelThresholds: { L2: 200 } } } });
      expect(inconsistent.status).toBe(422);
      expect(problemOf(inconsistent).code).toBe('INCIDENT_POLICY.INVALID');

      const saved = await put({ overrides: { contactDeadlineMinutes: { L3: 10 } }, pager: { webhookUrl: null } });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        overrides: { contactDeadlineMinutes: { L3: 10 } },
        effective: { contactDeadlineMinutes: { L1: 30, L2: 60, L3: 10 } },
        updatedBy: 'admin-1',
      });
      const { rows } = await incidents.pool.query(
        'SELECT updated_by FROM incidents_tenant_policy_changes WHERE tenant = $1',
        [policyTenant],
      );
      expect(rows).toEqual([{ updated_by: 'admin-1' }]);

      const declared = await declare({}, 'cs-manager', policyTenant);
      const [opened] = await streamOf(declared.incidentId);
      const openedAt = Date.parse((opened?.data as { at: string }).at);
      expect(Date.parse(declared.contactDueAt as string) - openedAt).toBe(10 * 60_000);
    });

    it('refuses a pager webhook outside INCIDENTS_PAGER_ALLOWED_HOSTS: 400 on /pager/webhookUrl, nothing stored', async () => {
      // A tenant that never pages in this suite: the allowed webhooks below are never called.
      const put = (webhookUrl: string | null) =>
        call('PUT', '/policies', 'admin', { overrides: {}, pager: { webhookUrl } }, { tenant: webhookTenant });
      const refused = async (webhookUrl: string) => {
        const res = await put(webhookUrl);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        const problem = problemOf(res);
        expect(problem.code).toBe('REQUEST.INVALID');
        expect(problem.errors).toHaveLength(1);
        expect(problem.errors?.[0]?.pointer).toBe('/pager/webhookUrl');
        return problem.errors?.[0]?.detail ?? '';
      };

      // Cloud metadata, an internal service, a host nobody listed: the detail names the host and what to do.
      const metadata = await refused('http://169.254.169.254/latest/meta-data/iam/security-credentials/');
      expect(metadata).toBe(
        'must point to a pager host the operator allows: "169.254.169.254" is not in INCIDENTS_PAGER_ALLOWED_HOSTS ' +
          '(an operator must add the host there)',
      );
      expect(await refused('http://10.0.0.5:9200/_all')).toContain(
        '"10.0.0.5:9200" is not in INCIDENTS_PAGER_ALLOWED_HOSTS',
      );
      expect(await refused('https://pager.attacker.example/hook')).toContain('an operator must add the host there');
      // The wrong port of a host:port entry; plain http to a host allowed only through a wildcard; credentials.
      expect(await refused('https://pager.example.net/hook')).toContain('"pager.example.net" is not in');
      expect(await refused('http://team.hooks.example.org/hook')).toContain('must use https');
      expect(await refused('https://ops:hunter2@pager.example.com/hook')).toContain('must not carry credentials');

      const stored = await incidents.pool.query(
        'SELECT pager_webhook_url FROM incidents_tenant_policies WHERE tenant = $1',
        [webhookTenant],
      );
      expect(stored.rows).toEqual([]);

      // Allowed: https on a listed host, the listed port, an https subdomain of the wildcard, a listed local pager.
      for (const webhookUrl of [
        'https://PAGER.example.com/hooks/T0K3N',
        'https://pager.example.net:8443/hook',
        'https://team.hooks.example.org/hook',
        'http://127.0.0.1:9/pages',
      ]) {
        const res = await put(webhookUrl);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ tenant: webhookTenant, pager: { webhookUrl } });
      }
      expect((await put(null)).status).toBe(200);
    });
  });
});
