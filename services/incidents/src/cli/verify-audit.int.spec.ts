import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  openServiceDatabase,
  PostgresEventStore,
  type ServiceDatabase,
  type StoredEvent,
} from '@aftersales/eventstore';
import { createTestDatabase, REPO_ROOT, type TestDatabase } from '@aftersales/testing';
import { anIncidentHistory } from '../domain/testing/incident.builder';
import { TestClock } from '../domain/testing/test-clock';
import { asIncident, recordIncident } from '../infrastructure/read-model/testing/incident-streams.fixture';
import { incidentStream } from '../application/incident-streams';
import { parseVerifyAuditArgs, verifyAudit } from './verify-audit.command';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as an operator would, in its own process. */
function runCli(command: 'tsx' | 'npm', args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const [file, argv] =
    command === 'npm'
      ? ['npm', ['run', '--silent', 'audit:verify', '--', ...args]]
      : [
          join(REPO_ROOT, 'node_modules/.bin/tsx'),
          [join(REPO_ROOT, 'services/incidents/src/cli/verify-audit.ts'), ...args],
        ];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run audit:verify (incident audit trail verification)', () => {
  const tenant = 'shop-1';
  const ids = { a: randomUUID(), b: randomUUID(), c: randomUUID() };
  const stored: Partial<Record<keyof typeof ids, StoredEvent[]>> = {};
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    testDb = await createTestDatabase('incidents_audit');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
    const store = new PostgresEventStore(db.pool);
    for (const [name, until] of [
      ['a', 'resolved'],
      ['b', 'approved'],
      ['c', 'contained'],
    ] as const) {
      const history = anIncidentHistory(new TestClock('2026-11-25T08:00:00.000Z'), { until });
      stored[name] = await recordIncident(store, ids[name], tenant, asIncident(history, ids[name], tenant));
    }
    // Not an incident stream: --all leaves it out.
    await store.append('complaint-cluster-shop-1/product-quality/sku:BAT-100', 'any', [
      {
        id: randomUUID(),
        type: 'ComplaintClustered',
        data: {},
        metadata: { tenant, actor: { id: 'incidents.cluster-watch' }, correlationId: 'c-1' },
      },
    ]);
    // DATABASE_URL names the server (its path is replaced); DATABASE_NAME the incidents database.
    env = { DATABASE_URL: testDb.url, DATABASE_NAME: testDb.name };
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('passes untouched streams: one OK line per stream, exit code 0', async () => {
    const one = await runCli('npm', ['--incident', ids.a], env);
    expect(one.stdout).toContain(`OK        ${incidentStream(ids.a)}: ${stored.a!.length} events, hash chain intact`);
    expect(one.code).toBe(0);

    const all = await runCli('tsx', ['--all'], env);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter((line) => line.startsWith('OK'))).toHaveLength(3);
    expect(all.stdout).not.toContain('complaint-cluster');
    expect(all.stdout).toContain('3 stream(s): 3 OK, 0 TAMPERED');
    expect(all.stderr).toContain('verifying 3 incident streams');
    expect(all.stderr).toContain('progress: 3/3 streams verified, 0 tampered');
  });

  // CONTEXT: the tamper test. Someone with database access edits what a decision recorded; the hash chain names
  // the edited event, and the exit code fails a scheduled audit job.
  it('names the first tampered event after an UPDATE of es_events and exits with 1', async () => {
    const victim = stored.b!.find((e) => e.type === 'SolutionApproved')!;
    await db.pool.query(
      `UPDATE es_events SET data = jsonb_set(data, '{solution,kind}', '"repair"') WHERE event_id = $1`,
      [victim.id],
    );

    const all = await runCli('tsx', ['--all'], env);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`OK        ${incidentStream(ids.a)}`);
    expect(all.stdout).toContain(`TAMPERED  ${incidentStream(ids.b)}: first bad event ${victim.id}`);
    expect(all.stdout).toContain(`OK        ${incidentStream(ids.c)}`);
    expect(all.stdout).toContain('3 stream(s): 2 OK, 1 TAMPERED');
    expect(all.stderr).toContain('progress: 3/3 streams verified, 1 tampered');

    // Named incidents: the tampered one, and one that has no events at all (which cannot pass either).
    const unknown = randomUUID();
    const named = await runCli('tsx', ['--incident', ids.b, '--incident', unknown], env);
    expect(named.code).toBe(1);
    expect(named.stdout).toContain(
      `TAMPERED  ${incidentStream(ids.b)}: first bad event ${victim.id} ` +
        `(version ${victim.streamVersion}, position ${victim.position}): stored content does not match its hash`,
    );
    expect(named.stdout).toContain(`MISSING   ${incidentStream(unknown)}: no events stored`);
    expect(named.stdout).toContain('2 stream(s): 0 OK, 1 TAMPERED, 1 MISSING');
  });

  it('refuses to run without an incident or --all (exit 2)', async () => {
    const usage = await runCli('tsx', [], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run audit:verify');
  });

  // CONTEXT: the chain alone cannot see a deleted last event, nor an edit whose author recomputed every later hash;
  // the stream head that es_append keeps beside the events does.
  it('also catches a deleted last event and a recomputed hash chain', async () => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), progress: () => undefined };
    const args = (id: string) => ({ incidents: [id], all: false });

    const last = stored.c!.at(-1)!;
    await db.pool.query('DELETE FROM es_events WHERE event_id = $1', [last.id]);
    expect(await verifyAudit(db.pool, args(ids.c), io)).toBe(1);
    expect(lines.join('\n')).toContain(
      `TAMPERED  ${incidentStream(ids.c)}: first bad event version ${last.streamVersion} (deleted): ` +
        `the stream head records ${stored.c!.length} events but ${stored.c!.length - 1} are stored`,
    );

    lines.length = 0;
    const edited = stored.a!.find((e) => e.type === 'IncidentResolved')!;
    await db.pool.query(
      `UPDATE es_events SET data = jsonb_set(data, '{summary}', '"nothing to see"') WHERE event_id = $1`,
      [edited.id],
    );
    await db.pool.query(`
      DO $$ DECLARE r record; previous bytea := NULL; BEGIN
        FOR r IN SELECT * FROM es_events WHERE stream_id = '${incidentStream(ids.a)}' ORDER BY stream_version LOOP
          previous := es_event_hash(previous, r.event_id, r.stream_id, r.stream_version, r.type, r.data, r.metadata,
                                    r.recorded_at);
          UPDATE es_events SET hash = previous WHERE event_id = r.event_id;
        END LOOP;
      END $$`);
    expect((await new PostgresEventStore(db.pool).verifyStream(incidentStream(ids.a))).ok).toBe(true);
    expect(await verifyAudit(db.pool, args(ids.a), io)).toBe(1);
    expect(lines.join('\n')).toContain(`TAMPERED  ${incidentStream(ids.a)}`);
    expect(lines.join('\n')).toContain('the hash chain was recomputed after an edit');
  });

  it('parses its arguments', () => {
    expect(parseVerifyAuditArgs(['--incident', 'x', '--incident=y', '--all'])).toEqual({
      incidents: ['x', 'y'],
      all: true,
    });
    expect(parseVerifyAuditArgs(['--incident'])).toEqual({ error: '--incident needs an incident id' });
    expect(parseVerifyAuditArgs(['--incident', '--all'])).toEqual({ error: '--incident needs an incident id' });
    expect(parseVerifyAuditArgs(['--verbose'])).toEqual({ error: 'unknown argument --verbose' });
  });
});
