import { randomUUID } from 'node:crypto';
import { ComplaintRegisteredV1, dlqTopic, Topics } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName, type KcatMessage } from '@aftersales/testing';
import { eventually, metricValue, startTestService, type TestService } from '@aftersales/test-kit';
import type { FoldCache } from '@aftersales/eventstore';
import { CLUSTER_FOLDS, INCIDENT_FOLDS } from './application/fold-caches';
import { clusterStream, incidentStream, pageDeliveryTimerId } from './application/incident-streams';
import { clusterIdOf, incidentDecider, type IncidentEvent, type IncidentState } from './domain';
import { incidentsService } from './incidents.module';
import { aComplaint, startPagerReceiver, UpstreamProducer } from './testing/incidents.harness';

// CONTEXT: the incidents service runs in-process on real Postgres and Kafka, with a clock the test moves (real time
// plus an offset, so complaints of other test runs on the shared intake topic stay plausible). Complaints arrive the
// way intake publishes them; pages arrive at a local webhook, one path per tenant (each tenant's policy names it), the
// only pager the operator allows (INCIDENTS_PAGER_ALLOWED_HOSTS = its host:port).
/**
 * A new consumer group reads intake's topic from the beginning: complaints other test runs left there are clustered
 * first (and contend on their clusters' streams), so the first answers may take a while on a busy shared broker.
 */
const BACKLOG_MS = 90_000;

describe('incidents: complaint clusters → incidents → pages → deadlines (real Postgres + Kafka)', () => {
  const tenants = { batch: uniqueName('shop'), injury: uniqueName('shop'), flaky: uniqueName('shop') };
  let pager: Awaited<ReturnType<typeof startPagerReceiver>>;
  /** A webhook on the same host, another port: reachable, but not on the operator's allow-list. */
  let strayPager: Awaited<ReturnType<typeof startPagerReceiver>>;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);

  let upstream: UpstreamProducer;
  let incidents: TestService;
  const incidentOf: Record<string, string> = {};

  const call = async (method: string, path: string, tenant: string, roles: string[], body?: unknown) => {
    const token = await incidents.token({ subject: `${roles[0]}-1`, tenant, roles });
    return fetch(`${incidents.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  /** Saves the tenant's incident policy (`overrides`), its pages going to the test's pager under `/<tenant>`. */
  const putPolicy = async (tenant: string, overrides: unknown = {}) => {
    const res = await call('PUT', '/policies', tenant, ['admin'], {
      overrides,
      pager: { webhookUrl: pager.url(`/${tenant}`) },
    });
    expect(res.status).toBe(200);
    return res;
  };

  /** A tenant of its own, with the default policy and the test's pager. */
  const pagedTenant = async () => {
    const tenant = uniqueName('shop');
    await putPolicy(tenant);
    return tenant;
  };

  const streamOf = async (incidentId: string) =>
    (
      await incidents.pool.query<{ type: IncidentEvent['type']; data: IncidentEvent['data'] }>(
        'SELECT type, data FROM es_events WHERE stream_id = $1 ORDER BY stream_version',
        [incidentStream(incidentId)],
      )
    ).rows as IncidentEvent[];

  const ofType = <T extends IncidentEvent['type']>(events: IncidentEvent[], type: T) =>
    events.filter((e): e is Extract<IncidentEvent, { type: T }> => e.type === type);

  const pagesOf = (tenant: string) => pager.deliveredOn(`/${tenant}`);

  /** The Kafka messages (one per event id) of the incident's stored events that have a contract. */
  const publishedEventsOf = async (incidentId: string, expected: number): Promise<KcatMessage[]> => {
    const { rows } = await incidents.pool.query<{ event_id: string }>(
      'SELECT event_id FROM es_events WHERE stream_id = $1',
      [incidentStream(incidentId)],
    );
    const ids = new Set(rows.map((r) => r.event_id));
    const messages = await readTopicWithKcat(Topics.incidents, {
      count: expected,
      until: (m) => m.key === incidentId && ids.has(m.headers.ce_id ?? ''),
      timeoutMs: 30_000,
    });
    // At-least-once: a message may be there twice; one per event id.
    return [...new Map(messages.map((m) => [m.headers.ce_id, m])).values()];
  };

  beforeAll(async () => {
    pager = await startPagerReceiver();
    strayPager = await startPagerReceiver();
    upstream = new UpstreamProducer();
    await upstream.start();
    incidents = await startTestService(
      { ...incidentsService, clock },
      {
        env: {
          INCIDENTS_TIMER_POLL_MS: '50',
          INCIDENTS_TIMER_RETRY_BASE_MS: '400',
          INCIDENTS_POLICY_CACHE_MS: '0',
          INCIDENTS_PAGER_ALLOWED_HOSTS: new URL(pager.url('/')).host,
        },
      },
    );
    for (const tenant of Object.values(tenants)) await putPolicy(tenant);
  });

  afterAll(async () => {
    await incidents?.close();
    await upstream?.stop();
    await pager?.stop();
    await strayPager?.stop();
  });

  it('10 customers complaining about one batch open an L3 incident, then upgrade it to L2: paged twice, deadline tightened', async () => {
    const tenant = tenants.batch;
    // Registered a minute ago, one complaint per customer: the 1st crosses L3 (threshold 1), the 10th L2 (threshold 10).
    const complaints = Array.from({ length: 10 }, () => aComplaint(tenant, new Date(clock().getTime() - 60_000)));
    await upstream.complaints(tenant, complaints);

    const delivered = await eventually(
      async () => (pagesOf(tenant).length >= 2 ? pagesOf(tenant) : undefined),
      'two pages for the batch incident',
      BACKLOG_MS,
    );
    // CONTEXT: the ten complaints share a Kafka key (their batch), so one inbox chunk may decide both pages at once, and
    // the timer loops then deliver them concurrently: arrival order is not the order they were paged in (`pagedAt`).
    const pages = [...delivered].sort((a, b) => Date.parse(a.body.pagedAt) - Date.parse(b.body.pagedAt));
    const incidentId = pages[0]?.body.incidentId as string;
    incidentOf[tenant] = incidentId;
    expect(pages.map((p) => p.body)).toEqual([
      expect.objectContaining({
        incidentId,
        tenant,
        level: 'L3',
        trigger: 'activation',
        team: { lead: 'cs-manager', members: ['tech-support'] },
      }),
      expect.objectContaining({
        incidentId,
        tenant,
        level: 'L2',
        trigger: 'upgrade',
        team: { lead: 'cs-director', members: ['tech-support', 'logistics'] },
      }),
    ]);
    for (const page of pages) expect(page.idempotencyKey).toBe(page.body.pageId);

    const events = await eventually(
      async () => {
        const stream = await streamOf(incidentId);
        return ofType(stream, 'ComplaintAttached').length === 10 ? stream : undefined;
      },
      'ten complaints attached',
      BACKLOG_MS,
    );
    expect(ofType(events, 'IncidentOpened')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ level: 'L3', tenant }) }),
    ]);
    expect(ofType(events, 'IncidentUpgraded').map((e) => [e.data.from, e.data.to])).toEqual([['L3', 'L2']]);
    // L3 deadline: opening + 120 min; the L2 upgrade (seconds later) sets upgrade + 60 min, which is earlier.
    const deadlines = ofType(events, 'ContactDeadlineSet');
    expect(deadlines.map((e) => e.data.level)).toEqual(['L3', 'L2']);
    const [l3Due, l2Due] = deadlines.map((e) => Date.parse(e.data.dueAt)) as [number, number];
    expect(l2Due).toBeLessThan(l3Due);
    expect(l2Due - Date.parse(deadlines[1]?.data.at as string)).toBe(60 * 60_000);
    expect(new Set(ofType(events, 'ComplaintAttached').map((e) => e.data.complaintId))).toEqual(
      new Set(complaints.map((c) => c.complaintId)),
    );
    // Each attachment names its complaint's order (the customer problem information form's order number).
    expect(new Set(ofType(events, 'ComplaintAttached').map((e) => e.data.orderId))).toEqual(
      new Set(complaints.map((c) => c.orderId)),
    );

    // The durable timer follows the tightened deadline; the cluster is linked to its incident.
    const timer = await incidents.pool.query<{ due_at: Date }>('SELECT due_at FROM es_timers WHERE timer_id = $1', [
      `incident:${incidentId}:contact-deadline`,
    ]);
    expect(timer.rows[0]?.due_at.getTime()).toBe(l2Due);
    const links = await incidents.pool.query('SELECT incident_id FROM incidents_cluster_links WHERE tenant = $1', [
      tenant,
    ]);
    expect(links.rows).toEqual([{ incident_id: incidentId }]);

    // Integrators see it on Kafka (read back with kcat): opened, escalated, two pages (pageId = ce_id), ten attachments.
    // Matched by event id (= ce_id): other test runs on the shared topics may publish incidents with the same ids.
    const published = await publishedEventsOf(incidentId, 14);
    const countOf = (type: string) => published.filter((m) => m.headers.ce_type === type).length;
    expect(countOf('aftersales.incidents.incident-opened.v1')).toBe(1);
    expect(countOf('aftersales.incidents.incident-escalated.v1')).toBe(1);
    expect(countOf('aftersales.incidents.complaint-attached.v1')).toBe(10);
    const paged = published.filter((m) => m.headers.ce_type === 'aftersales.incidents.response-team-paged.v1');
    expect(paged.map((m) => (JSON.parse(m.payload) as { pageId: string }).pageId).sort()).toEqual(
      pages.map((p) => p.body.pageId).sort(),
    );
    expect(published.every((m) => m.headers.ce_tenantid === tenant)).toBe(true);
  });

  it('an injury complaint opens an L1 incident at once and pages the L1 team (general manager, PR, legal)', async () => {
    const tenant = tenants.injury;
    const complaint = aComplaint(tenant, clock(), {
      productSku: 'KT-900',
      batch: undefined,
      flags: { personalInjury: true, propertyLoss: false, mediaExposure: false, legalThreat: false },
    });
    await upstream.complaints(tenant, [complaint]);

    const [page] = await eventually(
      async () => (pagesOf(tenant).length >= 1 ? pagesOf(tenant) : undefined),
      'the L1 page',
      BACKLOG_MS,
    );
    expect(page?.body).toMatchObject({
      tenant,
      level: 'L1',
      trigger: 'activation',
      team: { lead: 'general-manager', members: ['pr', 'legal'] },
    });
    const incidentId = page?.body.incidentId as string;
    incidentOf[tenant] = incidentId;
    const events = await streamOf(incidentId);
    expect(ofType(events, 'IncidentOpened')[0]?.data).toMatchObject({
      level: 'L1',
      source: { kind: 'cluster', clusterKey: 'sku:KT-900', flags: { injury: true } },
    });
    const [deadline] = ofType(events, 'ContactDeadlineSet');
    expect(Date.parse(deadline?.data.dueAt as string) - Date.parse(deadline?.data.at as string)).toBe(30 * 60_000);
    expect(ofType(events, 'ComplaintAttached').map((e) => e.data.complaintId)).toEqual([complaint.complaintId]);
  });

  it('a pager that fails twice and then answers gets the page once: three attempts, one Idempotency-Key, backoff between them', async () => {
    const tenant = tenants.flaky;
    pager.failNext(2, `/${tenant}`);
    await upstream.complaints(tenant, [aComplaint(tenant, clock(), { productSku: 'FR-1', batch: 'F-1' })]);

    const attempts = await eventually(
      async () => (pager.on(`/${tenant}`).length >= 3 ? pager.on(`/${tenant}`) : undefined),
      'three delivery attempts',
      BACKLOG_MS,
    );
    // Known before anything is asserted, so the later tests (deadlines, metrics) do not fail for this one's reason.
    incidentOf[tenant] = attempts[0]?.body.incidentId as string;
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 202]);
    const pageId = attempts[0]?.body.pageId;
    expect(attempts.map((a) => a.idempotencyKey)).toEqual([pageId, pageId, pageId]);
    expect(attempts.map((a) => a.body.pageId)).toEqual([pageId, pageId, pageId]);
    // Backoff (base 400 ms): retried after ≥ 400 ms, then after ≥ 800 ms, not at every 50 ms poll, nor at once by the
    // other timer loop (INCIDENTS_TIMER_CONCURRENCY, 2). A minimum delay is a product guarantee: load cannot break it.
    const [first, second, third] = attempts.map((a) => a.receivedAt) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(350);
    expect(third - second).toBeGreaterThanOrEqual(750);

    // The delivery row commits just after the pager answered: wait for it rather than race it.
    const rows = await eventually(async () => {
      const result = await incidents.pool.query(
        'SELECT target, status_code, attempts FROM pager_deliveries WHERE page_id = $1',
        [pageId],
      );
      return result.rows.length ? result.rows : undefined;
    }, 'the delivery record');
    expect(rows).toEqual([{ target: pager.url(`/${tenant}`), status_code: 202, attempts: 3 }]);

    // Spent with its delivery (same transaction): nothing can call the pager for this page again.
    const timer = await incidents.pool.query(
      `SELECT fired_at IS NOT NULL AS fired, (payload->>'attempts')::int AS failed FROM es_timers WHERE timer_id = $1`,
      [pageDeliveryTimerId(pageId as string)],
    );
    expect(timer.rows).toEqual([{ fired: true, failed: 2 }]);
    expect(pager.on(`/${tenant}`)).toHaveLength(3);
  });

  it('past the contact deadline the breach is recorded and the next tier paged exactly once, also across a restart', async () => {
    const breachPages = (tenant: string) => pagesOf(tenant).filter((p) => p.body.trigger === 'contact-deadline-breach');
    // 61 minutes later: the L2 deadline (60 min) and the L1 deadline (30 min) have passed, the L3 one (120 min) not.
    offsetMs += 61 * 60_000;
    await eventually(
      async () => (breachPages(tenants.batch).length && breachPages(tenants.injury).length ? true : undefined),
      'the breach pages',
    );
    // L2 is led by the cs-director: the rung above is the general manager. L1's lead is the top rung: paged again.
    expect(breachPages(tenants.batch).map((p) => [p.body.level, p.body.team])).toEqual([
      ['L2', { lead: 'general-manager', members: [] }],
    ]);
    expect(breachPages(tenants.injury).map((p) => [p.body.level, p.body.team])).toEqual([
      ['L1', { lead: 'general-manager', members: [] }],
    ]);
    const batchIncident = incidentOf[tenants.batch] as string;
    expect(ofType(await streamOf(batchIncident), 'ContactDeadlineBreached')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ level: 'L2', escalatedTo: 'general-manager' }) }),
    ]);

    // A restart (a new process on the same database and consumer groups), and the clock three hours on: the flaky
    // tenant's L3 deadline (scheduled before the restart) fires now; nothing fires twice.
    await incidents.restart();
    offsetMs += 3 * 60 * 60_000;
    await eventually(async () => (breachPages(tenants.flaky).length ? true : undefined), 'the L3 breach page');
    // Every timer of these tenants that is due by now has fired (its pages delivered) or was cancelled: nothing is
    // left that could page again, however slowly the restarted worker got to it.
    await eventually(async () => {
      const { rows } = await incidents.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM es_timers
          WHERE tenant = ANY($1) AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $2`,
        [Object.values(tenants), clock()],
      );
      return rows[0]?.n === 0 ? true : undefined;
    }, 'no due timer left');
    expect(breachPages(tenants.batch)).toHaveLength(1);
    expect(breachPages(tenants.injury)).toHaveLength(1);
    expect(breachPages(tenants.flaky)).toHaveLength(1);
    for (const tenant of Object.values(tenants)) {
      expect(ofType(await streamOf(incidentOf[tenant] as string), 'ContactDeadlineBreached')).toHaveLength(1);
    }
    // Opened, escalated, three pages, ten attachments and the breach: 16 published events.
    const breached = (await publishedEventsOf(batchIncident, 16)).filter(
      (m) => m.headers.ce_type === 'aftersales.incidents.response-deadline-breached.v1',
    );
    expect(breached).toHaveLength(1);
    expect(JSON.parse(breached[0]?.payload ?? '{}')).toMatchObject({
      incidentId: batchIncident,
      tenantId: tenants.batch,
      level: 'L2',
      escalatedTo: 'general-manager',
    });

    // A late first contact still counts for the time-to-contact histogram (and cancels nothing twice).
    const res = await call('POST', `/incidents/${batchIncident}/contacts`, tenants.batch, ['agent'], {
      customerRefs: ['cus-1'],
      summary: 'Apologised, explained, committed a replacement within 48 h',
    });
    expect(res.status).toBe(200);
  });

  it('metrics count committed pages, breaches and first contacts exactly once, after commit (no recount after the restart)', async () => {
    const counts = async () => {
      const { rows } = await incidents.pool.query<{ level: string; trigger: string; n: number }>(
        `SELECT data->>'level' AS level, data->>'trigger' AS trigger, count(*)::int AS n FROM es_events
          WHERE type = 'ResponseTeamPaged' GROUP BY 1, 2`,
      );
      return rows;
    };
    const breaches = async () =>
      (
        await incidents.pool.query<{ level: string; n: number }>(
          `SELECT data->>'level' AS level, count(*)::int AS n FROM es_events
            WHERE type = 'ContactDeadlineBreached' GROUP BY 1`,
        )
      ).rows;
    const text = await eventually(async () => {
      const metrics = await (await fetch(`${incidents.url}/metrics`)).text();
      const pagesMatch = (await counts()).every(
        (r) => metricValue(metrics, 'aftersales_incident_pages_total', { level: r.level, trigger: r.trigger }) === r.n,
      );
      const breachesMatch = (await breaches()).every(
        (r) => metricValue(metrics, 'aftersales_incident_deadline_breaches_total', { level: r.level }) === r.n,
      );
      const contacted = metricValue(metrics, 'aftersales_incident_time_to_contact_seconds_count', { level: 'L2' }) >= 1;
      return pagesMatch && breachesMatch && contacted ? metrics : undefined;
    }, 'metrics equal to the committed events');
    expect(
      metricValue(text, 'aftersales_incident_pages_total', { level: 'L2', trigger: 'upgrade' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'aftersales_incident_deadline_breaches_total', { level: 'L1' })).toBeGreaterThanOrEqual(1);
  });

  it('the open-incidents gauge shows the open incidents of the read model by level and phase, every series present', async () => {
    // The test's incidents: the batch one (L2) was contacted in the deadline test, the other two are still unanswered.
    const ours = await eventually(async () => {
      const { rows } = await incidents.pool.query<{ tenant: string; level: string; status: string }>(
        'SELECT tenant, level, status FROM incidents_view WHERE tenant = ANY($1)',
        [Object.values(tenants)],
      );
      const byTenant = Object.fromEntries(rows.map((r) => [r.tenant, `${r.level} ${r.status}`]));
      return byTenant[tenants.batch] === 'L2 containment' ? byTenant : undefined;
    }, 'the batch incident in containment on the read model');
    expect(ours).toEqual({
      [tenants.batch]: 'L2 containment',
      [tenants.injury]: 'L1 activation',
      [tenants.flaky]: 'L3 activation',
    });

    /** Every `aftersales_incidents_open` sample of a scrape, keyed `level status` (absent series are absent here). */
    const openSeries = (metrics: string) => {
      const series: Record<string, number> = {};
      for (const line of metrics.split('\n')) {
        const match = /^aftersales_incidents_open\{([^}]*)\}\s+(\S+)$/.exec(line);
        if (!match) continue;
        const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        series[`${labels.level} ${labels.status}`] = Number(match[2]);
      }
      return series;
    };
    /** Counted here from the rows themselves: every open phase of every level, 0 when none. */
    const expectedSeries = async () => {
      const series: Record<string, number> = {};
      for (const level of ['L1', 'L2', 'L3']) {
        for (const status of ['activation', 'containment', 'resolution', 'follow-up']) series[`${level} ${status}`] = 0;
      }
      const { rows } = await incidents.pool.query<{ level: string; status: string }>(
        'SELECT level, status FROM incidents_view',
      );
      for (const { level, status } of rows) {
        const key = `${level} ${status}`;
        if (key in series) series[key] = (series[key] ?? 0) + 1;
      }
      return series;
    };

    // Complaints of other test runs on the shared intake topic may open incidents meanwhile: retry until a scrape and
    // the read model agree (the last mismatch is reported on timeout).
    const series = await eventually(async () => {
      const scraped = openSeries(await (await fetch(`${incidents.url}/metrics`)).text());
      expect(scraped).toEqual(await expectedSeries());
      return scraped;
    }, 'the open-incidents gauge equal to the read model');
    expect(Object.keys(series)).toHaveLength(12);
    expect(series['L2 containment']).toBeGreaterThanOrEqual(1);
    expect(series['L1 activation']).toBeGreaterThanOrEqual(1);
    expect(series['L3 activation']).toBeGreaterThanOrEqual(1);
  });

  // Seed 000 §3.5.1: every complaint is taken on. One without the SKU or region its category clusters on is kept as a
  // single complaint: its own cluster, graded and handled like the first complaint of any cluster, never dead-lettered.
  it('complaints without SKU or region are kept as single complaints, each with its incident; unreadable ones are dead-lettered', async () => {
    const tenant = await pagedTenant();
    // It arose from an after-sales case: its incident names the case (the case timeline in intake shows it).
    const caseId = randomUUID();
    const noSku = aComplaint(tenant, clock(), { productSku: undefined, batch: undefined, caseId });
    const noRegion = aComplaint(tenant, clock(), {
      category: 'service-failure',
      productSku: undefined,
      batch: undefined,
      region: undefined,
    });
    const alsoNoSku = aComplaint(tenant, clock(), { productSku: undefined, batch: undefined });
    const otherTenant = aComplaint(tenant, clock(), { tenantId: 'someone-else' });
    const badSchema = aComplaint(tenant, clock());
    const [otherTenantId] = await upstream.complaints(tenant, [otherTenant]);
    await upstream.complaints(tenant, [noSku, noRegion, alsoNoSku]);
    const badSchemaId = await upstream.raw(
      tenant,
      badSchema.complaintId,
      JSON.stringify({ ...badSchema, category: 'pigeon' }),
    );

    const singles = [noSku, noRegion, alsoNoSku];
    const links = await eventually(
      async () => {
        const { rows } = await incidents.pool.query<{ cluster_id: string; incident_id: string }>(
          'SELECT cluster_id, incident_id FROM incidents_cluster_links WHERE tenant = $1 ORDER BY cluster_id',
          [tenant],
        );
        return rows.length === singles.length ? rows : undefined;
      },
      'an incident for each single complaint',
      BACKLOG_MS,
    );
    expect(links.map((l) => l.cluster_id).sort()).toEqual(
      singles.map((c) => `${tenant}/${c.category}/complaint:${c.complaintId}`).sort(),
    );
    for (const complaint of singles) {
      const link = links.find((l) => l.cluster_id.endsWith(`complaint:${complaint.complaintId}`));
      const events = await eventually(async () => {
        const stream = await streamOf(link?.incident_id as string);
        return ofType(stream, 'ComplaintAttached').length === 1 ? stream : undefined;
      }, `complaint ${complaint.complaintId} attached to its own incident`);
      expect(ofType(events, 'IncidentOpened')[0]?.data).toMatchObject({
        tenant,
        level: 'L3',
        source: { kind: 'cluster', clusterKey: `complaint:${complaint.complaintId}`, complaintCount: 1 },
      });
      expect(ofType(events, 'ComplaintAttached').map((e) => e.data.complaintId)).toEqual([complaint.complaintId]);
    }
    const fromCase = links.find((l) => l.cluster_id.endsWith(`complaint:${noSku.complaintId}`))?.incident_id as string;
    const caseEvents = await streamOf(fromCase);
    expect(ofType(caseEvents, 'IncidentOpened')[0]?.data.caseIds).toEqual([caseId]);
    expect(ofType(caseEvents, 'ComplaintAttached')[0]?.data.caseId).toBe(caseId);

    const consumer = incidents.groupOf('complaint-clustering');
    const ids = new Set([otherTenantId, badSchemaId]);
    const dead = await readTopicWithKcat(dlqTopic('incidents', 'complaint-clustering'), {
      count: 2,
      timeoutMs: 30_000,
      until: (m) => ids.has(m.headers.ce_id) && m.headers.dlq_consumer === consumer,
    });
    const byId = new Map(dead.map((m) => [m.headers.ce_id, m.headers]));
    expect(byId.get(otherTenantId)).toMatchObject({ dlq_error_code: 'TENANT_MISMATCH' });
    expect(byId.get(otherTenantId)?.dlq_reason).toContain('differs from the tenant header');
    expect(byId.get(badSchemaId)).toMatchObject({
      dlq_error_code: 'SCHEMA_VIOLATION',
      ce_type: ComplaintRegisteredV1.type,
    });
  });

  it('a webhook stored before the allow-list (or outside it since) is refused at delivery, recorded once, never retried', async () => {
    const tenant = uniqueName('shop');
    const webhookUrl = strayPager.url(`/${tenant}`);
    // The API refuses it now ...
    const put = await call('PUT', '/policies', tenant, ['admin'], { overrides: {}, pager: { webhookUrl } });
    expect(put.status).toBe(400);
    // ... so it is stored the way an older release (or an allow-list that changed since) left it.
    await incidents.pool.query(
      `INSERT INTO incidents_tenant_policies (tenant, overrides, pager_webhook_url, updated_at, updated_by)
       VALUES ($1, '{}', $2, now(), 'before-the-allow-list')`,
      [tenant, webhookUrl],
    );

    const declared = await call('POST', '/incidents', tenant, ['cs-manager'], {
      category: 'product-quality',
      level: 'L3',
      summary: 'Chargers of batch C-3 overheat',
      reason: 'Reported by the repair centre',
    });
    expect(declared.status).toBe(201);
    const { incidentId } = (await declared.json()) as { incidentId: string };

    const delivery = await eventually(async () => {
      const { rows } = await incidents.pool.query(
        'SELECT target, status_code, attempts, refused FROM pager_deliveries WHERE incident_id = $1',
        [incidentId],
      );
      return rows.length ? rows : undefined;
    }, 'the refused page recorded');
    expect(delivery).toEqual([
      {
        target: new URL(webhookUrl).origin,
        status_code: null,
        attempts: 1,
        refused:
          `allowedHost: webhook must point to a pager host the operator allows: "${new URL(webhookUrl).host}" is ` +
          'not in INCIDENTS_PAGER_ALLOWED_HOSTS (an operator must add the host there)',
      },
    ]);
    // The delivery timer ended with it: fired, no retry scheduled, and the stray pager never called.
    const timers = async () =>
      (
        await incidents.pool.query<{ fired: boolean; attempts: string | null }>(
          `SELECT fired_at IS NOT NULL AS fired, payload->>'attempts' AS attempts FROM es_timers
            WHERE kind = 'page-delivery' AND tenant = $1`,
          [tenant],
        )
      ).rows;
    expect(await timers()).toEqual([{ fired: true, attempts: null }]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await timers()).toEqual([{ fired: true, attempts: null }]);
    expect(strayPager.received).toEqual([]);
    expect(pager.on(`/${tenant}`)).toEqual([]);
    // The page itself is in the incident's stream (and on Kafka): only the webhook call was refused.
    expect(ofType(await streamOf(incidentId), 'ResponseTeamPaged')).toHaveLength(1);
  });

  // Seed 000 §3.5.3: a group event (「群體性事件」) goes straight to senior management and starts the emergency plan;
  // seed 004 §3(二) grades it level 1. A tenant may grade it otherwise in its policy.
  it('a group-event-only complaint opens an L1 incident at once (the L1 team paged); a tenant that grades group events L2 gets L2', async () => {
    const byDefault = uniqueName('shop');
    const gradedL2 = uniqueName('shop');
    const effectivePolicy = async (tenant: string, overrides: unknown) =>
      (await (await putPolicy(tenant, overrides)).json()) as {
        effective: { clustering: { flagLevels: Record<string, string | null> } };
      };
    // A policy without the flag (as saved before it existed) gets the default; another tenant sets it.
    expect(
      (await effectivePolicy(byDefault, { clustering: { flagLevels: { legalThreat: 'L1' } } })).effective.clustering
        .flagLevels,
    ).toMatchObject({ legalThreat: 'L1', groupEvent: 'L1' });
    expect(
      (await effectivePolicy(gradedL2, { clustering: { flagLevels: { groupEvent: 'L2' } } })).effective.clustering
        .flagLevels,
    ).toMatchObject({ groupEvent: 'L2' });

    const groupEventOnly = {
      flags: { personalInjury: false, propertyLoss: false, mediaExposure: false, legalThreat: false, groupEvent: true },
    };
    const complaint = aComplaint(byDefault, clock(), { productSku: 'EB-7', batch: 'G-1', ...groupEventOnly });
    await upstream.complaints(byDefault, [complaint]);
    await upstream.complaints(gradedL2, [
      aComplaint(gradedL2, clock(), { productSku: 'EB-7', batch: 'G-1', ...groupEventOnly }),
    ]);

    const [page] = await eventually(
      async () => (pagesOf(byDefault).length >= 1 ? pagesOf(byDefault) : undefined),
      'the L1 page of the group event',
    );
    expect(page?.body).toMatchObject({
      tenant: byDefault,
      level: 'L1',
      trigger: 'activation',
      team: { lead: 'general-manager', members: ['pr', 'legal'] },
    });
    const events = await streamOf(page?.body.incidentId as string);
    expect(ofType(events, 'IncidentOpened')[0]?.data).toMatchObject({
      level: 'L1',
      reason: `groupEvent reported in complaint ${complaint.complaintId} forces L1`,
      source: {
        kind: 'cluster',
        clusterKey: 'sku:EB-7|batch:G-1',
        complaintCount: 1,
        flags: { injury: false, propertyLoss: false, mediaExposure: false, legalThreat: false, groupEvent: true },
      },
    });
    const [deadline] = ofType(events, 'ContactDeadlineSet');
    expect(Date.parse(deadline?.data.dueAt as string) - Date.parse(deadline?.data.at as string)).toBe(30 * 60_000);
    expect(ofType(events, 'ComplaintAttached').map((e) => e.data.complaintId)).toEqual([complaint.complaintId]);

    const [l2Page] = await eventually(
      async () => (pagesOf(gradedL2).length >= 1 ? pagesOf(gradedL2) : undefined),
      'the L2 page of the tenant that grades group events L2',
    );
    expect(l2Page?.body).toMatchObject({
      tenant: gradedL2,
      level: 'L2',
      trigger: 'activation',
      team: { lead: 'cs-director', members: ['tech-support', 'logistics'] },
    });
  });

  // Seed 004 §4(二)1: the level's contact time applies to the level the incident now has. Upgraded after its first
  // contact, when the first deadline has been checked (its timer fired, nothing to flag: the customer was contacted),
  // the new level's deadline starts again from the upgrade: its timer is armed again and breaches if nobody is
  // contacted again in time.
  it('an upgrade after the first contact and the first deadline arms the restarted deadline again, which breaches', async () => {
    const tenant = await pagedTenant();
    const complaint = aComplaint(tenant, clock(), { productSku: 'RS-1', batch: 'R-1' });
    await upstream.complaints(tenant, [complaint]);
    const [page] = await eventually(
      async () => (pagesOf(tenant).length >= 1 ? pagesOf(tenant) : undefined),
      'the L3 page',
      BACKLOG_MS,
    );
    expect(page?.body).toMatchObject({ level: 'L3', trigger: 'activation' });
    const incidentId = page?.body.incidentId as string;
    const timerId = `incident:${incidentId}:contact-deadline`;
    const timerRow = async () =>
      (
        await incidents.pool.query<{ due_at: Date; fired: boolean }>(
          'SELECT due_at, fired_at IS NOT NULL AS fired FROM es_timers WHERE timer_id = $1',
          [timerId],
        )
      ).rows[0];

    const contacted = await call('POST', `/incidents/${incidentId}/contacts`, tenant, ['agent'], {
      customerRefs: [complaint.customerId],
      summary: 'Called the customer, explained the replacement',
    });
    expect(contacted.status).toBe(200);
    // Past the L3 deadline (120 min): its timer fires and finds the customer contacted in time, so flags nothing.
    offsetMs += 121 * 60_000;
    await eventually(async () => ((await timerRow())?.fired ? true : undefined), 'the L3 deadline checked');
    expect(ofType(await streamOf(incidentId), 'ContactDeadlineBreached')).toEqual([]);

    const upgraded = await call('POST', `/incidents/${incidentId}/upgrade`, tenant, ['supervisor'], {
      toLevel: 'L2',
      reason: 'More customers report the same swelling',
    });
    expect(upgraded.status).toBe(200);
    const restarted = ofType(await streamOf(incidentId), 'ContactDeadlineSet').at(-1);
    expect(restarted?.data).toMatchObject({ level: 'L2', startedAt: expect.any(String) });
    const restartedDue = Date.parse(restarted?.data.dueAt as string);
    expect(restartedDue - Date.parse(restarted?.data.startedAt as string)).toBe(60 * 60_000);
    // The fired row is armed again at the restarted deadline.
    expect(await timerRow()).toEqual({ due_at: new Date(restartedDue), fired: false });

    // Nobody contacted again within the L2 deadline (60 min): breached, the rung above the L2 lead paged.
    offsetMs += 61 * 60_000;
    const breach = await eventually(
      async () => pagesOf(tenant).find((p) => p.body.trigger === 'contact-deadline-breach'),
      'the breach page of the restarted deadline',
    );
    expect(breach.body).toMatchObject({ incidentId, level: 'L2', team: { lead: 'general-manager', members: [] } });
    expect(ofType(await streamOf(incidentId), 'ContactDeadlineBreached')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ level: 'L2', dueAt: restarted?.data.dueAt }) }),
    ]);
  });

  it('complaints about one batch in several chunks: the process keeps the cluster and the incident folded between them and folds on what others wrote meanwhile (ADR 32)', async () => {
    const tenant = await pagedTenant();
    const clusters = incidents.running.app.get<symbol, FoldCache>(CLUSTER_FOLDS);
    const incidentFolds = incidents.running.app.get<symbol, FoldCache>(INCIDENT_FOLDS);
    const registeredAt = new Date(clock().getTime() - 60_000);
    const first = Array.from({ length: 10 }, () => aComplaint(tenant, registeredAt));
    await upstream.complaints(tenant, first);
    const incidentId = await eventually(
      async () =>
        (
          await incidents.pool.query<{ incident_id: string }>(
            'SELECT incident_id FROM incidents_cluster_links WHERE tenant = $1',
            [tenant],
          )
        ).rows[0]?.incident_id,
      'the batch incident',
      BACKLOG_MS,
    );
    const attached = (n: number) =>
      eventually(
        async () => {
          const stream = await streamOf(incidentId);
          return ofType(stream, 'ComplaintAttached').length === n ? stream : undefined;
        },
        `${n} complaints attached`,
        BACKLOG_MS,
      );
    await attached(10);
    const cluster = clusterStream(
      clusterIdOf(tenant, { complaintId: 'any', category: 'product-quality', sku: 'PB-20000', batch: 'B-7' }),
    );
    const incident = incidentStream(incidentId);
    const storedVersion = async (stream: string) =>
      Number(
        (
          await incidents.pool.query<{ v: number }>(
            'SELECT max(stream_version) AS v FROM es_events WHERE stream_id = $1',
            [stream],
          )
        ).rows[0]?.v,
      );
    // Cached once committed: the cluster (only this consumer writes it) at its stored version; the incident too, or
    // behind it where the page timers appended since.
    expect(clusters.get(cluster)?.version).toBe(await storedVersion(cluster));
    expect(incidentFolds.get(incident)?.version).toBeGreaterThan(0);

    // Another writer: an agent records a contact over HTTP (not through the consumer's cache).
    const contacted = await call('POST', `/incidents/${incidentId}/contacts`, tenant, ['agent'], {
      customerRefs: [first[0]?.customerId],
      summary: 'Apologised, explained the recall',
    });
    expect(contacted.status).toBe(200);
    const hits = clusters.hits + incidentFolds.hits;

    const more = Array.from({ length: 5 }, () => aComplaint(tenant, registeredAt));
    await upstream.complaints(tenant, more);
    const events = await attached(15);
    expect(clusters.hits + incidentFolds.hits).toBeGreaterThan(hits);
    // Operators see the caches on /metrics (sizing INCIDENTS_CACHED_STREAMS).
    const metrics = await (await fetch(`${incidents.url}/metrics`)).text();
    for (const cache of ['complaint-clusters', 'incidents']) {
      expect(metricValue(metrics, 'aftersales_fold_cache_lookups_total', { cache, result: 'hit' })).toBeGreaterThan(0);
      expect(metricValue(metrics, 'aftersales_fold_cache_streams', { cache })).toBeGreaterThan(0);
    }
    // Every complaint attached once, on the incident as stored (the contact folded onto the cached state).
    expect(
      ofType(events, 'ComplaintAttached')
        .map((e) => e.data.complaintId)
        .sort(),
    ).toEqual([...first, ...more].map((c) => c.complaintId).sort());
    expect(ofType(events, 'CustomersContacted')).toHaveLength(1);
    const cached = incidentFolds.get(incident);
    const summary = (state: IncidentState) =>
      state.status === 'none'
        ? null
        : {
            status: state.status,
            level: state.incident.level,
            attached: [...state.incident.attachedComplaints].sort(),
            customers: [...state.incident.affectedCustomers],
            contacted: [...state.incident.contactedAt.keys()],
          };
    const foldedFromStore = events
      .slice(0, cached?.version)
      .reduce(incidentDecider.evolve, incidentDecider.initialState());
    expect(summary(cached?.state as IncidentState)).toEqual(summary(foldedFromStore));
    expect(summary(foldedFromStore)).toMatchObject({ contacted: [first[0]?.customerId] });
  });
});
