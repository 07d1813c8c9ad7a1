/**
 * Scenario 1 — event store append throughput.
 *
 * For each (batch size, writers) cell, three appenders each get a fresh database and write the same
 * payloads for the same wall-clock time, each writer to its own streams (a new stream every 10 appends):
 * - ours:   `PostgresEventStore.append` (one call of the plpgsql function `es_append`);
 * - raw:    one parameterised multi-row INSERT per batch (a named prepared statement) into a plain table with
 *           the same columns (uuid, stream id, version, type, jsonb data, jsonb metadata, timestamptz), no constraints;
 * - emmett: `@event-driven-io/emmett-postgresql`'s `appendToStream` with the expected stream version.
 * Each measurement: fresh database, CHECKPOINT, 2 s warm-up, 3 s measured (× BENCH_SCALE); 2 rounds in alternating
 * order, the better round counts. Per-event Postgres / Node CPU and WAL bytes are logged to explain the ratios.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { getPostgreSQLEventStore, type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import { openServiceDatabase, PostgresEventStore, type EventMetadata } from '@aftersales/eventstore';
import { createTestDatabase } from '@aftersales/testing';
import type { CaseOpenedV1 } from '@aftersales/contracts';
import {
  caseOpened,
  checkpoint,
  eventMetadata,
  fmtRate,
  log,
  now,
  observe,
  rate,
  Resources,
  SCALE,
  type Row,
} from './support';

const POOL_SIZE = 10;
const APPENDS_PER_STREAM = 10;
const MEASURE_MS = Math.max(500, 3_000 * SCALE);
const WARMUP_MS = Math.max(300, 2_000 * SCALE);
const ROUNDS = 2;

interface BenchEvent {
  readonly id: string;
  readonly type: 'CaseOpened';
  readonly data: CaseOpenedV1;
  readonly metadata: EventMetadata;
}

interface Appender {
  /** `version` = events already in the stream (0 = the stream does not exist yet). */
  append(streamId: string, version: number, events: readonly BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}

type AppenderKind = 'ours' | 'raw' | 'emmett';

async function openAppender(kind: AppenderKind, url: string, name: string): Promise<Appender> {
  switch (kind) {
    case 'ours': {
      const db = await openServiceDatabase({ serverUrl: url, database: name, poolSize: POOL_SIZE });
      const store = new PostgresEventStore(db.pool);
      return {
        append: async (streamId, version, events) => {
          await store.append(streamId, version === 0 ? 'no_stream' : version, events);
        },
        close: () => db.close(),
      };
    }
    case 'raw': {
      const pool = new Pool({ connectionString: url, max: POOL_SIZE });
      // A session the server ends (the database is dropped after the measurement) is reported, never a crash.
      pool.on('error', (error) => log(`  raw pool: ${error.message}`));
      await pool.query(`
        CREATE TABLE raw_events (
          event_id       uuid        NOT NULL,
          stream_id      text        NOT NULL,
          stream_version bigint      NOT NULL,
          type           text        NOT NULL,
          data           jsonb       NOT NULL,
          metadata       jsonb       NOT NULL,
          recorded_at    timestamptz NOT NULL
        )`);
      const statements = new Map<number, string>();
      const statementFor = (n: number): string => {
        let sql = statements.get(n);
        if (!sql) {
          const rows = Array.from({ length: n }, (_, i) => {
            const p = i * 7;
            return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7})`;
          });
          sql = `INSERT INTO raw_events (event_id, stream_id, stream_version, type, data, metadata, recorded_at) VALUES ${rows.join(', ')}`;
          statements.set(n, sql);
        }
        return sql;
      };
      return {
        append: async (streamId, version, events) => {
          const recordedAt = new Date().toISOString();
          const params: unknown[] = [];
          events.forEach((e, i) =>
            params.push(
              e.id,
              streamId,
              version + i + 1,
              e.type,
              JSON.stringify(e.data),
              JSON.stringify(e.metadata),
              recordedAt,
            ),
          );
          // A named (prepared) statement: parsed and planned once per connection. The unnamed form re-plans the
          // 7×batch-parameter VALUES list on every call and is ~4× slower at batch 100 — too weak a baseline.
          await pool.query({ name: `raw_insert_${events.length}`, text: statementFor(events.length), values: params });
        },
        close: () => pool.end(),
      };
    }
    case 'emmett': {
      const store: EmmettStore = getPostgreSQLEventStore(url);
      return {
        append: async (streamId, version, events) => {
          await store.appendToStream(
            streamId,
            events.map((e) => ({ type: e.type, data: e.data, metadata: { ...e.metadata, messageId: e.id } })),
            { expectedStreamVersion: BigInt(version) },
          );
        },
        close: () => store.close(),
      };
    }
  }
}

/** Appends until `deadline` from `writers` concurrent writers; returns events appended and elapsed ms. */
async function drive(
  appender: Appender,
  writers: number,
  batch: number,
  durationMs: number,
): Promise<{ events: number; ms: number }> {
  const started = now();
  const deadline = started + durationMs;
  const writer = async (): Promise<number> => {
    let written = 0;
    let streamId = '';
    let data = caseOpened(randomUUID(), 0);
    let metadata = eventMetadata();
    let version = 0;
    let appends = 0;
    while (now() < deadline) {
      if (appends % APPENDS_PER_STREAM === 0) {
        const caseId = randomUUID();
        streamId = `case-${caseId}`;
        data = caseOpened(caseId, appends);
        metadata = eventMetadata();
        version = 0;
      }
      const events: BenchEvent[] = [];
      for (let i = 0; i < batch; i++) events.push({ id: randomUUID(), type: 'CaseOpened', data, metadata });
      await appender.append(streamId, version, events);
      version += batch;
      written += batch;
      appends += 1;
    }
    return written;
  };
  const counts = await Promise.all(Array.from({ length: writers }, writer));
  return { events: counts.reduce((a, b) => a + b, 0), ms: now() - started };
}

async function measure(kind: AppenderKind, writers: number, batch: number): Promise<number> {
  const resources = new Resources();
  try {
    const testDb = await createTestDatabase(`bench_append_${kind}`);
    resources.defer(`database ${testDb.name}`, () => testDb.drop());
    const appender = await openAppender(kind, testDb.url, testDb.name);
    resources.defer(`${kind} connections`, () => appender.close());
    // Checkpoint before the warm-up: the measurement then neither pays for an earlier phase's dirty pages nor
    // starts right after a checkpoint (which would put a full-page image of every touched index page in it).
    await checkpoint();
    await drive(appender, writers, batch, WARMUP_MS);
    const { value, cpu, walBytes } = await observe(() => drive(appender, writers, batch, MEASURE_MS));
    const { events, ms } = value;
    const r = rate(events, ms);
    const perEvent = cpu
      ? `; per event: pg ${Math.round((cpu.postgresSeconds * 1e6) / events)} µs cpu, node ${Math.round((cpu.selfSeconds * 1e6) / events)} µs cpu, `
      : '; per event: ';
    log(
      `  append b=${String(batch).padEnd(3)} w=${writers} ${kind.padEnd(6)} ${fmtRate(r).padStart(9)} events (${events} in ${(ms / 1000).toFixed(2)} s)` +
        `${perEvent}${Math.round(walBytes / events)} B WAL${cpu ? `; other load ${cpu.other.toFixed(2)} cores` : ''}`,
    );
    return r;
  } finally {
    await resources.release();
  }
}

export async function benchAppend(): Promise<Row[]> {
  log(
    `scenario 1: append — ${ROUNDS} rounds × ${MEASURE_MS} ms per appender and cell after ${WARMUP_MS} ms warm-up, ` +
      'fresh database each, best round counts',
  );
  const rows: Row[] = [];
  for (const batch of [1, 100]) {
    for (const writers of [1, 4]) {
      const cell = `append b=${batch} w=${writers}`;
      const runs: Record<AppenderKind, number[]> = { ours: [], raw: [], emmett: [] };
      let failed = false;
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate the order so no appender always runs first (or last) in a cell.
        const order: AppenderKind[] = round % 2 === 0 ? ['ours', 'raw', 'emmett'] : ['emmett', 'raw', 'ours'];
        for (const kind of order) {
          try {
            runs[kind].push(await measure(kind, writers, batch));
          } catch (error) {
            failed = true;
            log(`  ${cell} ${kind} FAILED: ${(error as Error).stack ?? String(error)}`);
          }
        }
      }
      const best = (kind: AppenderKind) => (failed || runs[kind].length === 0 ? null : Math.max(...runs[kind]));
      rows.push({ scenario: `${cell}: ours vs raw INSERT`, ours: best('ours'), baseline: best('raw'), target: 0.5 });
      rows.push({ scenario: `${cell}: ours vs emmett`, ours: best('ours'), baseline: best('emmett'), target: 1.0 });
    }
  }
  return rows;
}
