import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { signDevToken } from '@aftersales/platform-http';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueName,
  waitForConsumerGroups,
  type TestDatabase,
} from '@aftersales/testing';
import { eventually, freePort, ServiceProcess, WebhookReceiver } from '@aftersales/test-kit';
import { OtlpReceiver } from '../support/otlp-receiver';

type Json = Record<string, unknown>;
interface IncidentDetail {
  incidentId: string;
  level: 'L1' | 'L2' | 'L3';
  phase: string;
  clusterKey: string | null;
  complaintCount: number;
  followUpRequired: boolean;
  satisfaction: { percent: number; targetPercent: number | null } | null;
  deadlines: { contactDueAt: string | null; breachCount: number };
  pages: Array<{ trigger: string; level: string; team: { lead: string; members: string[] } }>;
}

// CONTEXT: the incident-response story of the issue, on real Kafka and Postgres with intake, incidents and
// surveys running as real processes: clustering and escalation, paging through a webhook, a missed contact
// deadline across restarts, resolution → surveys → follow-up, and a tamper-evident audit trail.
describe('incident response end to end', () => {
  const secret = 'e2e-incidents-secret';
  const tenant = uniqueName('shop');
  const batch = `B-${randomBytes(3).toString('hex')}`;
  const groupPrefix = `${uniqueName('e2e-inc')}.`;
  const otlp = new OtlpReceiver();
  let pager: WebhookReceiver;
  const dbs: Record<'intake' | 'incidents' | 'surveys', TestDatabase | undefined> = {
    intake: undefined,
    incidents: undefined,
    surveys: undefined,
  };
  let intake: ServiceProcess;
  let incidents: ServiceProcess;
  let surveys: ServiceProcess;
  let incidentsEnv: Record<string, string>;
  const tokens: Record<string, string> = {};

  const token = (roles: string[], subject = roles[0] ?? 'someone', forTenant = tenant) =>
    signDevToken({ subject, tenant: forTenant, roles }, secret);

  beforeAll(async () => {
    pager = await WebhookReceiver.start();
    await otlp.start();
    dbs.intake = await createTestDatabase('e2e_inc_intake');
    dbs.incidents = await createTestDatabase('e2e_inc_incidents');
    dbs.surveys = await createTestDatabase('e2e_inc_surveys');
    const common = {
      AUTH_JWT_SECRET: secret,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_PARTITIONS: '3',
      KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
      // Fresh groups start at the end of the shared topics: the test does not depend on their history.
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'warn',
    };
    const envFor = (db: TestDatabase) => ({ ...common, DATABASE_URL: db.url, DATABASE_NAME: db.name });
    incidentsEnv = {
      ...envFor(dbs.incidents),
      PAGER_WEBHOOK_URL: pager.url('/'),
      // The local pager host, as `npm start` allows it (PAGER_WEBHOOK_URL itself would be allowed anyway).
      INCIDENTS_PAGER_ALLOWED_HOSTS: '127.0.0.1,localhost',
    };
    intake = new ServiceProcess('intake', await freePort(), envFor(dbs.intake));
    incidents = new ServiceProcess('incidents', await freePort(), incidentsEnv);
    surveys = new ServiceProcess('surveys', await freePort(), envFor(dbs.surveys));
    await Promise.all([intake.start(), incidents.start(), surveys.start()]);
    await waitForConsumerGroups(
      [
        'incidents.complaint-clustering',
        'incidents.satisfaction',
        'surveys.incident-follow-up',
        'intake.case-timeline',
      ].map((g) => groupPrefix + g),
    );
    for (const role of [
      'agent',
      'supervisor',
      'tech-support',
      'incident-commander',
      'general-manager',
      'quality',
      'pr',
    ]) {
      tokens[role] = await token([role]);
    }
  });

  afterAll(async () => {
    await Promise.all([intake?.stop(), incidents?.stop(), surveys?.stop()]);
    await Promise.all([otlp.stop(), pager?.stop()]);
    for (const db of Object.values(dbs)) await db?.drop();
  });

  const call = async (base: string, method: string, path: string, role: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };

  const complaint = (overrides: Json = {}) => ({
    complaintId: randomUUID(),
    customer: { id: `cus-${randomUUID()}`, name: 'Li Wei', phone: '+86 138 0000 0000' },
    orderId: `ORD-${randomUUID().slice(0, 8)}`,
    productSku: 'PB-20K',
    batch,
    category: 'product-quality',
    description: 'The power bank swells while charging',
    ...overrides,
  });

  const incidentOfCluster = (fragment: string) =>
    eventually(
      async () => {
        const list = await call(incidents.url, 'GET', '/incidents?category=product-quality&limit=200', 'supervisor');
        const items = (list.body.items ?? []) as Array<{ incidentId: string; clusterKey: string | null }>;
        return items.find((i) => i.clusterKey?.toLowerCase().includes(fragment.toLowerCase()))?.incidentId;
      },
      `an incident for ${fragment}`,
      60_000,
    );

  const detail = async (id: string) =>
    (await call(incidents.url, 'GET', `/incidents/${id}`, 'supervisor')).body as unknown as IncidentDetail;
  /**
   * The pages of an incident in the order they were paged (`pagedAt`): pages decided together are delivered by
   * concurrent timer loops, so the webhook may receive them in another order.
   */
  const pagesFor = (id: string) =>
    pager
      .deliveredOn()
      .filter((p) => p.body.incidentId === id)
      .sort((a, b) => Date.parse(String(a.body.pagedAt)) - Date.parse(String(b.body.pagedAt)));

  let batchIncident: string;
  let injuryIncident: string;
  const firstComplaintId = randomUUID();
  /** The first complaint arose from an after-sales case: its timeline in intake follows the incident and the survey. */
  const caseId = randomUUID();
  const caseCustomer = `cus-${randomUUID()}`;

  it('120 complaints on one battery batch: L3 at once, L2 at the 10th, L1 at the 100th, the right team paged each time', async () => {
    // Distinct customers: the level counts customers (domain policy default), so each complaint is a new one.
    const post = (body: Json) => call(intake.url, 'POST', '/complaints', 'agent', body);
    const opened = await call(intake.url, 'POST', '/cases', 'agent', {
      caseId,
      channel: 'phone',
      orderId: `ORD-${caseId.slice(0, 8)}`,
      customerId: caseCustomer,
      problemType: 'quality',
      description: 'The power bank swells while charging',
    });
    expect(opened.status).toBe(201);
    const first = complaint({ complaintId: firstComplaintId, caseId, customer: { id: caseCustomer, name: 'Li Wei' } });
    expect((await post(first)).status).toBe(201);
    for (let i = 1; i < 120; i += 10) {
      const statuses = await Promise.all(
        Array.from({ length: Math.min(10, 120 - i) }, () => post(complaint()).then((r) => r.status)),
      );
      expect(new Set(statuses)).toEqual(new Set([201]));
    }
    batchIncident = await incidentOfCluster(batch);
    const final = await eventually(
      async () => {
        const d = await detail(batchIncident);
        return d.level === 'L1' && d.complaintCount === 120 && pagesFor(batchIncident).length >= 3 ? d : undefined;
      },
      'the batch incident at L1 with 120 complaints and 3 pages',
      90_000,
    );

    // 1 complaint → L3 (cs-manager's team); 10 → L2 (cs-director's); 100 → L1 (general manager with PR and legal).
    const pages = pagesFor(batchIncident).map((p) => `${String(p.body.level)}:${String((p.body.team as Json).lead)}`);
    expect(pages).toEqual(['L3:cs-manager', 'L2:cs-director', 'L1:general-manager']);
    expect((pagesFor(batchIncident)[2]?.body.team as { members: string[] }).members).toEqual(
      expect.arrayContaining(['pr', 'legal']),
    );
    expect(final.pages.map((p) => p.trigger)).toEqual(['activation', 'upgrade', 'upgrade']);

    // Deadlines tightened each time: 2 h (L3) → 1 h (L2) → 30 min (L1), never later than before.
    const timeline = await call(incidents.url, 'GET', `/incidents/${batchIncident}/timeline`, 'supervisor');
    const dues = (timeline.body.entries as Array<{ type: string; data: Json }>)
      .filter((e) => e.type === 'ContactDeadlineSet')
      .map((e) => Date.parse(String(e.data.dueAt)));
    expect(dues).toHaveLength(3);
    expect(dues[1]! < dues[0]! && dues[2]! < dues[1]!).toBe(true);
  });

  it('an injury complaint on another product opens a level-1 incident at once', async () => {
    const res = await call(
      intake.url,
      'POST',
      '/complaints',
      'agent',
      complaint({
        productSku: 'KETTLE-9',
        batch: 'K-1',
        description: 'The kettle burst and scalded my hand',
        flags: { personalInjury: true },
      }),
    );
    expect(res.status).toBe(201);
    injuryIncident = await incidentOfCluster('kettle-9');
    const d = await eventually(
      async () => {
        const x = await detail(injuryIncident);
        return pagesFor(injuryIncident).length >= 1 ? x : undefined;
      },
      'the injury incident paged',
      60_000,
    );
    expect(d.level).toBe('L1');
    expect(pagesFor(injuryIncident).map((p) => (p.body.team as Json).lead)).toEqual(['general-manager']);
  });

  it('one trace links the complaint request, intake, Kafka, incidents and the page', async () => {
    const firstPage = pagesFor(batchIncident)[0];
    const traceId = String(firstPage?.headers.traceparent ?? '').split('-')[1] ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await eventually(
      async () => {
        const t = otlp.trace(traceId);
        const names = new Set(t.map((s) => `${s.service}:${s.name}`));
        return t.some((s) => s.service === 'intake' && s.kind === 2) &&
          names.has('intake:aftersales.intake.events publish') &&
          names.has('incidents:aftersales.intake.events process')
          ? t
          : undefined;
      },
      'spans of the page trace',
      20_000,
    );
    const names = spans.map((s) => `${s.service}:${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining(['intake:aftersales.intake.events publish', 'incidents:aftersales.intake.events process']),
    );
  });

  it('a missed contact deadline pages the next tier once, also across service restarts', async () => {
    // Nobody contacted the customers; the clock moves 3 hours on (past the 30 min L1 deadline) across a restart.
    await incidents.stop();
    const later = { ...incidentsEnv, CLOCK_OFFSET_MS: String(3 * 3_600_000) };
    incidents = new ServiceProcess('incidents', incidents.port, later);
    await incidents.start();
    const breachPages = (id: string) => pagesFor(id).filter((p) => p.body.trigger === 'contact-deadline-breach');
    await eventually(
      async () =>
        breachPages(batchIncident).length === 1 && breachPages(injuryIncident).length === 1 ? true : undefined,
      'breach pages',
      60_000,
    );

    // Another restart with the same clock: the timers are spent, nobody is paged twice.
    await incidents.stop();
    incidents = new ServiceProcess('incidents', incidents.port, later);
    await incidents.start();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(breachPages(batchIncident)).toHaveLength(1);
    expect(breachPages(injuryIncident)).toHaveLength(1);
    const d = await detail(batchIncident);
    expect(d.deadlines.breachCount).toBe(1);
  });

  it('bad input: 400 with field errors, 404 for another tenant, 403 for an agent approving a level-1 solution', async () => {
    const invalid = await call(intake.url, 'POST', '/complaints', 'agent', { category: 'weather', customer: {} });
    expect(invalid.status).toBe(400);
    expect((invalid.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/category', '/customer/id', '/orderId', '/description']),
    );
    tokens.otherTenant = await token(['agent'], 'agent-x', 'another-shop');
    const foreign = await call(incidents.url, 'POST', `/incidents/${batchIncident}/contacts`, 'otherTenant', {
      customerRefs: ['cus-1'],
      summary: 'called',
    });
    expect(foreign.status).toBe(404);
    expect((await call(incidents.url, 'GET', `/incidents/${batchIncident}`, 'otherTenant')).status).toBe(404);

    // Containment and cause analysis first, so that approval is the next legal step.
    expect(
      (
        await call(incidents.url, 'POST', `/incidents/${batchIncident}/contacts`, 'agent', {
          customerRefs: ['cus-1', 'cus-2'],
          summary: 'Apologised, explained, offered a replacement within 48 h',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(incidents.url, 'POST', `/incidents/${batchIncident}/root-cause`, 'tech-support', {
          rootCause: 'Separator film of batch too thin',
          directCause: 'Cells swell at full charge',
        })
      ).status,
    ).toBe(200);
    const approval = { solution: { kind: 'recall', description: `Recall batch ${batch}` } };
    const forbidden = await call(
      incidents.url,
      'POST',
      `/incidents/${batchIncident}/solution-approval`,
      'agent',
      approval,
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBeDefined();
    expect(
      (
        await call(
          incidents.url,
          'POST',
          `/incidents/${batchIncident}/solution-approval`,
          'incident-commander',
          approval,
        )
      ).status,
    ).toBe(200);
  });

  it('resolution → surveys → below target → follow-up required before closing', async () => {
    const id = batchIncident;
    expect(
      (
        await call(incidents.url, 'POST', `/incidents/${id}/implementation`, 'tech-support', {
          progress: 'All units recalled',
          completed: true,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(incidents.url, 'POST', `/incidents/${id}/customer-confirmations`, 'agent', {
          customerRef: 'cus-1',
          satisfaction: 'satisfied',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(incidents.url, 'POST', `/incidents/${id}/resolve`, 'incident-commander', {
          summary: 'Batch recalled and replaced',
          // One confirmation of 120 affected customers: emergency leadership resolves with a recorded override.
          confirmationOverride: { reason: 'Replacement confirmed by the recall desk; customers confirm by survey' },
        })
      ).status,
    ).toBe(200);

    // Surveys receives IncidentResolved and surveys each of the 120 affected customers.
    const list = await eventually(
      async () => {
        const r = await call(surveys.url, 'GET', `/surveys?incidentId=${id}`, 'agent');
        const items = (r.body.surveys ?? []) as Array<{ surveyId: string; customerRef: string }>;
        return items.length === 120 ? items : undefined;
      },
      '120 surveys',
      60_000,
    );

    // 10 answers, 8 satisfied (mean ≥ 4) and 2 not: 8 / 10 = 80 % < 90 % (L1 target) → below target. The customer of
    // the case answers first (satisfied).
    const byCase = (s: { customerRef?: string }) => (s.customerRef === caseCustomer ? 0 : 1);
    const ordered = [...list].sort((a, b) => byCase(a) - byCase(b));
    for (const [n, s] of ordered.slice(0, 10).entries()) {
      const score = n < 8 ? 5 : 2;
      const answered = await call(surveys.url, 'POST', `/surveys/${s.surveyId}/answers`, 'agent', {
        responseSpeed: score,
        result: score,
        attitude: score,
      });
      expect(answered.status).toBeLessThan(300);
    }
    const d = await eventually(
      async () => {
        const x = await detail(id);
        return x.followUpRequired && x.satisfaction?.percent === 80 ? x : undefined;
      },
      'follow-up required on the incident',
      60_000,
    );
    expect(d.satisfaction?.targetPercent).toBe(90);

    const retrospective = {
      what: 'Battery swelling on one batch',
      why: 'Separator film too thin',
      who: 'Quality, tech support, customer service',
      when: [],
      where: 'Warehouse East',
      how: 'Recall and replacement',
      improvementActions: [{ action: 'Incoming inspection of separator film', owner: 'quality' }],
    };
    expect(
      (await call(incidents.url, 'POST', `/incidents/${id}/retrospective`, 'incident-commander', retrospective)).status,
    ).toBe(200);
    const refused = await call(incidents.url, 'POST', `/incidents/${id}/close`, 'incident-commander', {});
    expect(refused.status).toBe(409);
    expect(refused.body.rule).toBeTruthy();
    expect(
      (
        await call(incidents.url, 'POST', `/incidents/${id}/follow-ups`, 'agent', {
          action: 'additional-compensation',
          description: 'Offered a 50-unit coupon to the dissatisfied customers',
        })
      ).status,
    ).toBe(200);
    // Closure checks: the quality group, recall compliance (product quality), PR's statement (level 1).
    for (const [path, role, body] of [
      ['quality-check', 'quality', { passed: true, findings: 'Replacement batteries sampled: within specification' }],
      [
        'recall-compliance',
        'quality',
        { recallRequired: true, compliant: true, basis: 'Recall notified and executed' },
      ],
      ['pr-statements', 'pr', { statement: `Batch ${batch} recalled and replaced`, channels: ['website'] }],
    ] as const) {
      expect((await call(incidents.url, 'POST', `/incidents/${id}/${path}`, role, body)).status).toBe(200);
    }
    expect((await call(incidents.url, 'POST', `/incidents/${id}/close`, 'incident-commander', {})).status).toBe(200);
  });

  it("the case's timeline in intake shows what incidents and surveys did for it, in order, with links", async () => {
    interface Entry {
      service: string;
      eventType: string;
      link: string;
      summary: string;
    }
    const entries = await eventually(
      async () => {
        const r = await call(intake.url, 'GET', `/cases/${caseId}/timeline?limit=500`, 'agent');
        const list = (r.body.entries ?? []) as Entry[];
        const has = (type: string) => list.some((e) => e.eventType === type);
        return has('aftersales.incidents.incident-closed.v1') && has('aftersales.surveys.satisfaction-below-target.v1')
          ? list
          : undefined;
      },
      'the incident and the survey on the case timeline',
      60_000,
    );
    const firstOf = (type: string) => entries.findIndex((e) => e.eventType === type);
    // The case opens its timeline; its SLA clocks, an off-hours acknowledgement and the escalation its complaint causes
    // are intake's entries beside it (sla-clocks.int.spec.ts proves them).
    expect(entries[0]?.eventType).toBe('CaseOpened');
    const complained = firstOf('ComplaintRegistered');
    // The incident's life on the case, in order: opened, the case's complaint attached, escalated, resolved, closed.
    const incidentSteps = [
      'aftersales.incidents.incident-opened.v1',
      'aftersales.incidents.complaint-attached.v1',
      'aftersales.incidents.incident-escalated.v1',
      'aftersales.incidents.incident-resolved.v1',
      'aftersales.incidents.incident-closed.v1',
    ].map(firstOf);
    expect(incidentSteps.every((i) => i > complained && complained > 0)).toBe(true);
    expect([...incidentSteps].sort((a, b) => a - b)).toEqual(incidentSteps);
    // Only this case's complaint among the 120 attached: the others came from no case.
    expect(entries.filter((e) => e.eventType === 'aftersales.incidents.complaint-attached.v1')).toHaveLength(1);
    for (const e of entries.filter((x) => x.service === 'incidents'))
      expect(e.link).toBe(`/incidents/${batchIncident}`);
    // The survey of the case's customer, answered, and the fall below the target the follow-up concerns.
    const answered = entries.filter((e) => e.eventType === 'aftersales.surveys.satisfaction-measured.v1');
    expect(answered).toHaveLength(1);
    expect(answered[0]?.link).toMatch(/^\/surveys\/[0-9a-f-]{36}$/);
    expect(firstOf('aftersales.surveys.satisfaction-measured.v1')).toBeGreaterThan(
      firstOf('aftersales.incidents.incident-resolved.v1'),
    );
  });

  it('the audit trail verifies, and names the event after someone edits it in Postgres', async () => {
    const ok = await call(incidents.url, 'GET', `/incidents/${batchIncident}/audit/verify`, 'supervisor');
    expect(ok.body.ok).toBe(true);

    const db = new Client({ connectionString: dbs.incidents?.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ event_id: string; stream_version: string }>(
        `SELECT event_id, stream_version FROM es_events WHERE type = 'SolutionApproved' AND stream_id LIKE $1`,
        [`%${batchIncident}%`],
      );
      await db.query(`UPDATE es_events SET data = jsonb_set(data, '{solution,kind}', '"repair"') WHERE event_id = $1`, [
        rows[0]?.event_id,
      ]);
      const tampered = await call(incidents.url, 'GET', `/incidents/${batchIncident}/audit/verify`, 'supervisor');
      expect(tampered.body.ok).toBe(false);
      expect(tampered.body.firstInvalid).toMatchObject({ eventId: rows[0]?.event_id });
    } finally {
      await db.end();
    }
  });
});
