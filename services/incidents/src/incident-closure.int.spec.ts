import { canonicalJson, contentHash } from '@aftersales/eventstore';
import { uniqueName } from '@aftersales/testing';
import { eventually, startTestService, type CallResult, type TestService } from '@aftersales/test-kit';
import {
  retrospectiveOverdueTimerId,
  retrospectiveReminderTimerId,
  incidentStream,
} from './application/incident-streams';
import { verifyAudit } from './cli/verify-audit.command';
import { archivedFormTitles, type IncidentEvent } from './domain';
import { incidentsService } from './incidents.module';
import { startPagerReceiver } from './testing/incidents.harness';

// CONTEXT: after resolution, in-process on real Postgres and Kafka with a clock the test moves (real time plus an
// offset): the retrospective's durable timers fire (reminder, then overdue escalation, each paged once to a local
// webhook), the closure archives the guide's seven forms with the archive's hash in the audit trail, the knowledge base
// and the recurrence KPI follow from the projection.
describe('incidents after resolution: retrospective timers, archive, knowledge base, recurrence (real Postgres + Kafka)', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  let pager: Awaited<ReturnType<typeof startPagerReceiver>>;
  let incidents: TestService;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const hours = 3_600_000;

  const call = (
    method: string,
    path: string,
    role: string,
    body?: unknown,
    t = tenant,
  ): Promise<CallResult<Record<string, unknown>>> =>
    incidents.call(method, path, { caller: { tenant: t, roles: [role], subject: `${role}-1` }, body });

  const step = async (incidentId: string, path: string, role: string, body: unknown) => {
    const res = await call('POST', `/incidents/${incidentId}/${path}`, role, body);
    expect({ path, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({
      path,
      status: 200,
      body: undefined,
    });
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
  const pages = (trigger: string) => pager.deliveredOn(`/${tenant}`).filter((p) => p.body.trigger === trigger);
  const timer = async (timerId: string) =>
    (
      await incidents.pool.query<{ due_at: Date; fired_at: Date | null; cancelled_at: Date | null }>(
        'SELECT due_at, fired_at, cancelled_at FROM es_timers WHERE timer_id = $1',
        [timerId],
      )
    ).rows[0];

  /** Declares an incident and takes it to resolution over HTTP (contact, cause, approval, implementation, confirmation). */
  const resolvedIncident = async (
    declared: Record<string, unknown>,
  ): Promise<{ incidentId: string; resolvedAt: Date }> => {
    const res = await call('POST', '/incidents', 'cs-manager', {
      level: 'L3',
      reason: 'Reported by the warehouse QC team',
      ...declared,
    });
    expect(res.status).toBe(201);
    const incidentId = res.body['incidentId'] as string;
    const analyst = declared['category'] === 'product-quality' ? 'tech-support' : 'quality';
    await step(incidentId, 'contacts', 'agent', { customerRefs: ['cus-1'], summary: 'Apologised, explained' });
    await step(incidentId, 'root-cause', analyst, { rootCause: 'Cell supplier changed', directCause: 'Overheating' });
    await step(incidentId, 'solution-approval', 'cs-manager', {
      solution: { kind: 'replace', description: 'Replace the affected units' },
    });
    await step(incidentId, 'implementation', 'logistics', { progress: 'All units replaced', completed: true });
    await step(incidentId, 'customer-confirmations', 'agent', { customerRef: 'cus-1', satisfaction: 'satisfied' });
    await step(incidentId, 'resolve', 'cs-manager', { summary: 'Units replaced' });
    const [resolved] = ofType(await streamOf(incidentId), 'IncidentResolved');
    return { incidentId, resolvedAt: new Date(resolved?.data.at ?? 0) };
  };

  let first: { incidentId: string; resolvedAt: Date };

  beforeAll(async () => {
    pager = await startPagerReceiver();
    incidents = await startTestService(
      { ...incidentsService, clock },
      {
        env: {
          INCIDENTS_TIMER_POLL_MS: '50',
          INCIDENTS_POLICY_CACHE_MS: '0',
          INCIDENTS_PAGER_ALLOWED_HOSTS: new URL(pager.url('/')).host,
        },
      },
    );
    const res = await call('PUT', '/policies', 'admin', {
      overrides: {},
      pager: { webhookUrl: pager.url(`/${tenant}`) },
    });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await incidents?.close();
    await pager?.stop();
  });

  it('the retrospective timers fire: the L3 team is reminded 18 h before the 72 h due time, the rung above paged when overdue, each once', async () => {
    first = await resolvedIncident({
      category: 'product-quality',
      summary: 'Power banks of batch B-1 swell',
      clusterKey: 'sku:PB-1|batch:B-1',
    });
    const { incidentId, resolvedAt } = first;
    // L3: due 72 h after resolution, reminder 18 h before (policy defaults).
    expect((await timer(retrospectiveReminderTimerId(incidentId)))?.due_at.getTime()).toBe(
      resolvedAt.getTime() + 54 * hours,
    );
    expect((await timer(retrospectiveOverdueTimerId(incidentId)))?.due_at.getTime()).toBe(
      resolvedAt.getTime() + 72 * hours,
    );

    // 54 h and a minute later: the reminder is due, the due time is not.
    offsetMs += 54 * hours + 60_000;
    await eventually(async () => (pages('retrospective-reminder').length ? true : undefined), 'the reminder page');
    expect(pages('retrospective-reminder').map((p) => [p.body.incidentId, p.body.level, p.body.team])).toEqual([
      [incidentId, 'L3', { lead: 'cs-manager', members: ['tech-support'] }],
    ]);
    expect((await timer(retrospectiveReminderTimerId(incidentId)))?.fired_at).not.toBeNull();
    expect((await timer(retrospectiveOverdueTimerId(incidentId)))?.fired_at).toBeNull();
    expect(ofType(await streamOf(incidentId), 'RetrospectiveOverdue')).toEqual([]);

    // 18 h more: past the due time, nothing recorded: overdue, and the rung above the L3 lead (cs-director) is paged.
    offsetMs += 18 * hours;
    await eventually(async () => (pages('retrospective-overdue').length ? true : undefined), 'the overdue page');
    expect(pages('retrospective-overdue').map((p) => [p.body.incidentId, p.body.level, p.body.team])).toEqual([
      [incidentId, 'L3', { lead: 'cs-director', members: [] }],
    ]);
    await eventually(async () => {
      const { rows } = await incidents.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM es_timers
          WHERE tenant = $1 AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $2`,
        [tenant, clock()],
      );
      return rows[0]?.n === 0 ? true : undefined;
    }, 'no due timer left');
    const events = await streamOf(incidentId);
    expect(ofType(events, 'RetrospectiveOverdue').map((e) => [e.data.level, e.data.escalatedTo, e.data.actor])).toEqual(
      [['L3', 'cs-director', { id: 'incidents.timer', role: 'system' }]],
    );
    expect(
      ofType(events, 'ResponseTeamPaged')
        .map((e) => e.data.trigger)
        .filter((trigger) => trigger.startsWith('retrospective-')),
    ).toEqual(['retrospective-reminder', 'retrospective-overdue']);
    expect(pages('retrospective-reminder')).toHaveLength(1);
    expect(pages('retrospective-overdue')).toHaveLength(1);
  });

  it('closing archives the seven forms as canonical JSON whose SHA-256 the audit trail records; JSON and HTML exports, tenant-scoped', async () => {
    const { incidentId } = first;
    await step(incidentId, 'retrospective', 'cs-manager', {
      what: 'Power banks of batch B-1 swelled',
      why: 'Cell supplier changed without qualification',
      who: 'Supplier; incoming QC',
      when: [{ at: clock().toISOString(), what: 'Replacements completed' }],
      where: 'Batch B-1',
      how: 'Detected by staff report; replaced',
      improvementActions: [{ action: 'Qualify every new cell supplier', owner: 'quality' }],
    });
    await step(incidentId, 'quality-check', 'quality', { passed: true, findings: 'Replacements sampled' });
    await step(incidentId, 'recall-compliance', 'quality', {
      recallRequired: false,
      compliant: true,
      basis: 'No safety defect left in the field',
    });
    await step(incidentId, 'close', 'cs-manager', { reason: 'Replaced and followed up' });

    // The closure and the archive's hash are in the stream, in that order, in one transaction.
    const events = await streamOf(incidentId);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['IncidentClosed', 'IncidentArchived']);
    const [archived] = ofType(events, 'IncidentArchived');
    const { rows } = await incidents.pool.query<{ bundle: string; archive_hash: string; tenant: string }>(
      'SELECT bundle, archive_hash, tenant FROM incident_archives WHERE incident_id = $1',
      [incidentId],
    );
    const bundle = rows[0]?.bundle ?? '';
    expect(contentHash(bundle)).toBe(archived?.data.archiveHash);
    expect(rows[0]).toMatchObject({ archive_hash: archived?.data.archiveHash, tenant });
    expect(canonicalJson(JSON.parse(bundle))).toBe(bundle);
    // Immutable: the database refuses to change it.
    await expect(
      incidents.pool.query(`UPDATE incident_archives SET format = 'x' WHERE incident_id = $1`, [incidentId]),
    ).rejects.toThrow(/immutable/);

    const exported = await call('GET', `/incidents/${incidentId}/archive`, 'quality');
    expect(exported.status).toBe(200);
    const view = exported.body as {
      archiveHash: string;
      intact: boolean;
      archive: { forms: Record<string, Record<string, unknown>>; closure: Record<string, unknown> };
    };
    expect(view).toMatchObject({ archiveHash: archived?.data.archiveHash, intact: true });
    // Canonical JSON orders keys by name; the report shows the forms in the guide's order.
    expect(Object.keys(view.archive.forms)).toEqual(Object.keys(archivedFormTitles).sort());
    expect(view.archive.forms['customerProblemForm']).toMatchObject({
      problem: { productModel: 'PB-1', batch: 'B-1', symptom: { absent: 'not-recorded' } },
      customers: [
        {
          customerRef: 'cus-1',
          name: { absent: 'personal-data-sealed-by-intake' },
          contactDetails: { absent: 'personal-data-sealed-by-intake' },
        },
      ],
    });
    expect(view.archive.forms['retrospectiveReport']).toMatchObject({
      onTime: false,
      overdueFlagged: { escalatedTo: 'cs-director' },
    });
    expect(view.archive.closure).toMatchObject({ reason: 'Replaced and followed up', satisfaction: 'not-surveyed' });
    // The JSON export is the stored archive itself: it hashes to the recorded hash.
    expect(contentHash(canonicalJson(view.archive))).toBe(view.archiveHash);

    const report = await call('GET', `/incidents/${incidentId}/archive/report`, 'cs-director');
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/html/);
    expect(report.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(report.text).toContain('Customer problem information form 《客戶問題信息表》');
    expect(report.text).toContain(view.archiveHash);

    // Roles and tenants: an agent may not read archives; another tenant's incident does not exist.
    expect((await call('GET', `/incidents/${incidentId}/archive`, 'agent')).status).toBe(403);
    expect((await call('GET', `/incidents/${incidentId}/archive`, 'quality', undefined, otherTenant)).status).toBe(404);
    expect(
      (await call('GET', `/incidents/${incidentId}/archive/report`, 'quality', undefined, otherTenant)).status,
    ).toBe(404);
  });

  it('audit verify proves the archive unchanged, and names the IncidentArchived event once the archive was changed', async () => {
    const { incidentId } = first;
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), progress: () => undefined };
    expect(await verifyAudit(incidents.pool, { incidents: [incidentId], all: false }, io)).toBe(0);
    expect((await call('GET', `/incidents/${incidentId}/audit/verify`, 'quality')).body).toMatchObject({ ok: true });

    // Someone with the database's owner rights lifts the guard and edits the archive.
    const client = await incidents.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE incident_archives DISABLE TRIGGER incident_archives_immutable');
      await client.query(
        `UPDATE incident_archives SET bundle = replace(bundle, 'Replaced and followed up', 'Nothing to see')
          WHERE incident_id = $1`,
        [incidentId],
      );
      await client.query('ALTER TABLE incident_archives ENABLE TRIGGER incident_archives_immutable');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const [archived] = (
      await incidents.pool.query<{ event_id: string }>(
        `SELECT event_id FROM es_events WHERE stream_id = $1 AND type = 'IncidentArchived'`,
        [incidentStream(incidentId)],
      )
    ).rows;
    lines.length = 0;
    expect(await verifyAudit(incidents.pool, { incidents: [incidentId], all: false }, io)).toBe(1);
    expect(lines[0]).toContain(`TAMPERED  ${incidentStream(incidentId)}: first bad event ${archived?.event_id}`);
    expect(lines[0]).toContain('the stored archive does not hash to the archiveHash IncidentArchived recorded');
    expect((await call('GET', `/incidents/${incidentId}/audit/verify`, 'quality')).body).toMatchObject({
      ok: false,
      firstInvalid: { eventId: archived?.event_id },
    });
    expect((await call('GET', `/incidents/${incidentId}/archive`, 'quality')).body).toMatchObject({ intact: false });
  });

  it('the knowledge base finds the closed incident by category and by product, in its tenant only', async () => {
    const { incidentId } = first;
    const search = (query: string, t = tenant) => call('GET', `/knowledge-base?${query}`, 'agent', undefined, t);
    const found = await eventually(async () => {
      const res = await search('product=pb-1');
      const items = res.body['items'] as Array<Record<string, unknown>>;
      return items.length > 0 ? items : undefined;
    }, 'the knowledge-base entry');
    expect(found).toEqual([
      {
        incidentId,
        category: 'product-quality',
        product: 'PB-1',
        level: 'L3',
        problem: 'Power banks of batch B-1 swell: Power banks of batch B-1 swelled',
        cause: 'Cell supplier changed (direct cause: Overheating)',
        solution: 'replace: Replace the affected units',
        prevention: ['Qualify every new cell supplier (quality)'],
        closedAt: expect.any(String),
      },
    ]);
    expect(((await search('category=product-quality')).body['items'] as unknown[]).length).toBe(1);
    expect((await search('category=service-failure')).body['items']).toEqual([]);
    expect((await search('category=product-quality&product=PB-2')).body['items']).toEqual([]);
    expect((await search('product=PB-1', otherTenant)).body['items']).toEqual([]);
    expect((await search('category=nonsense')).status).toBe(400);
  });

  it('recurrence KPI: an incident resolved at t recurred when another of its category (product) opened within the policy window after t', async () => {
    // The first incident (PB-1, product quality) was resolved ~72 h ago; a second one about PB-1 opens now, within
    // the default 30 days: the first recurred. The second and a service failure are resolved without recurrence.
    const second = await resolvedIncident({
      category: 'product-quality',
      summary: 'Power banks of batch B-2 swell',
      clusterKey: 'sku:PB-1|batch:B-2',
    });
    await resolvedIncident({
      category: 'service-failure',
      summary: 'Deliveries late in EAST',
      clusterKey: 'region:EAST',
    });
    const query = `from=${new Date(first.resolvedAt.getTime() - hours).toISOString()}&to=${new Date(
      clock().getTime() + hours,
    ).toISOString()}`;
    const recurrence = async () => (await call('GET', `/kpis?${query}`, 'quality')).body['recurrence'];
    // resolved 2, recurred 1: 50 %; products: PB-1 the same; service failures: 1 resolved, none recurred.
    const expected = {
      windowDays: 30,
      byCategory: [
        { key: 'product-quality', resolved: 2, recurred: 1, ratePercent: 50 },
        { key: 'service-failure', resolved: 1, recurred: 0, ratePercent: 0 },
      ],
      byProduct: [{ key: 'PB-1', resolved: 2, recurred: 1, ratePercent: 50 }],
    };
    await eventually(
      async () => (JSON.stringify(await recurrence()) === JSON.stringify(expected) ? true : undefined),
      'the recurrence of the resolved incidents',
    );
    expect(second.resolvedAt.getTime() - first.resolvedAt.getTime()).toBeGreaterThan(72 * hours);

    // With a one-day window (tenant policy) the second incident, opened about three days later, is no recurrence.
    const res = await call('PUT', '/policies', 'admin', {
      overrides: { recurrenceWindowDays: 1 },
      pager: { webhookUrl: pager.url(`/${tenant}`) },
    });
    expect(res.status).toBe(200);
    expect(await recurrence()).toMatchObject({
      windowDays: 1,
      byCategory: [
        { key: 'product-quality', resolved: 2, recurred: 0, ratePercent: 0 },
        { key: 'service-failure', resolved: 1, recurred: 0, ratePercent: 0 },
      ],
    });
    // Another tenant sees none of it.
    const other = await call('GET', `/kpis?${query}`, 'quality', undefined, otherTenant);
    expect(other.body['recurrence']).toEqual({ windowDays: 30, byCategory: [], byProduct: [] });
  });
});
