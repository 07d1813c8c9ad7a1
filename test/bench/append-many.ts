/**
 * `es_append_many` alone (ADR 33): batches of N streams with one new event each — a carrier's batch of scans — on
 * streams that already hold K events, one connection, committed per batch. In the same run and database, rounds
 * alternating: the set-based function (today's), the item-by-item one it replaced (`es_append` per stream, kept as
 * `es_append_many_by_item`), and a baseline of plain multi-row INSERTs of the same rows into a table without
 * constraints. Prints wall time and the backend's CPU per batch and per stream.
 *
 *   npm run bench:append-many
 *   BENCH_STREAMS=500 BENCH_PRIOR=10 BENCH_ROUNDS=20 npm run bench:append-many
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PoolClient } from 'pg';
import { openServiceDatabase, PostgresEventStore } from '@aftersales/eventstore';
import { createTestDatabase } from '@aftersales/testing';
import { eventMetadata, log } from './support';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
const PRIOR = Number(process.env.BENCH_PRIOR ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

function scanEvent(i: number) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    type: 'ScanRecorded',
    data: {
      scan: {
        status: 'in_transit',
        counted: null,
        eventId: `scan-${randomUUID()}`,
        location: `Hub ${i % 50}`,
        occurredAt: now,
        receivedAt: now,
        carrierStatus: 'InTransit',
        exceptionCode: null,
      },
      caseId: null,
      current: true,
      shipmentId: randomUUID(),
    },
    metadata: eventMetadata(),
  };
}

type Way = 'set-based' | 'item-by-item' | 'plain INSERT';

async function main(): Promise<void> {
  const database = await createTestDatabase('bench_append_many');
  const db = await openServiceDatabase({
    serverUrl: process.env.DATABASE_URL ?? '',
    database: database.name,
    poolSize: 2,
  });
  const client: PoolClient = await db.pool.connect();
  try {
    const store = new PostgresEventStore(client);
    await client.query(
      `CREATE TABLE plain_events (event_id uuid, stream_id text, stream_version bigint, type text, data jsonb,
                                  metadata jsonb, recorded_at timestamptz)`,
    );
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const backendCpuMs = () => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const streamsOf = (way: Way) => Array.from({ length: STREAMS }, () => `shipment-${way[0]}-${randomUUID()}`);
    const ways: Record<Way, { streams: string[]; versions: Map<string, number>; ms: number; cpuMs: number }> = {
      'set-based': { streams: streamsOf('set-based'), versions: new Map(), ms: 0, cpuMs: 0 },
      'item-by-item': { streams: streamsOf('item-by-item'), versions: new Map(), ms: 0, cpuMs: 0 },
      'plain INSERT': { streams: streamsOf('plain INSERT'), versions: new Map(), ms: 0, cpuMs: 0 },
    };
    const round = async (way: Way, measured: boolean) => {
      const w = ways[way];
      const events = w.streams.map((_, i) => scanEvent(i));
      const started = performance.now();
      const cpu = backendCpuMs();
      await client.query('BEGIN');
      if (way === 'plain INSERT') {
        await client.query(
          `INSERT INTO plain_events SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[],
                                                          $6::jsonb[], $7::timestamptz[])`,
          [
            events.map((e) => e.id),
            w.streams,
            w.streams.map((s) => (w.versions.get(s) ?? 0) + 1),
            events.map((e) => e.type),
            events.map((e) => JSON.stringify(e.data)),
            events.map((e) => JSON.stringify(e.metadata)),
            events.map(() => new Date()),
          ],
        );
        for (const s of w.streams) w.versions.set(s, (w.versions.get(s) ?? 0) + 1);
      } else {
        const batch = w.streams.map((s, i) => ({ stream: s, expected: w.versions.get(s) ?? -1, events: [events[i]] }));
        if (way === 'set-based') {
          const results = await store.appendMany(
            w.streams.map((s, i) => ({
              streamId: s,
              expected: w.versions.get(s) ?? 'no_stream',
              events: [events[i]!],
            })),
            client,
          );
          w.streams.forEach((s, i) => w.versions.set(s, results[i]!.nextVersion));
        } else {
          const { rows } = await client.query<{ status: string; next_version: string }>(
            'SELECT * FROM es_append_many_by_item($1::jsonb)',
            [JSON.stringify(batch)],
          );
          if (rows.some((r) => r.status !== 'appended')) throw new Error('item-by-item: not appended');
          w.streams.forEach((s, i) => w.versions.set(s, Number(rows[i]!.next_version)));
        }
      }
      await client.query('COMMIT');
      if (measured) {
        w.ms += performance.now() - started;
        w.cpuMs += backendCpuMs() - cpu;
      }
    };
    const order: Way[] = ['set-based', 'item-by-item', 'plain INSERT'];
    log(`${STREAMS} streams per batch, each with ${PRIOR} events first; ${ROUNDS} measured batches per way`);
    for (let k = 0; k < PRIOR; k++) for (const way of order) await round(way, false);
    for (let r = 0; r < ROUNDS; r++) for (const way of r % 2 ? [...order].reverse() : order) await round(way, true);
    console.log('');
    console.log('| way | per batch: wall / backend CPU, ms | per stream: backend CPU, µs | CPU / plain INSERT |');
    console.log('| :-- | --: | --: | --: |');
    const plain = ways['plain INSERT'].cpuMs;
    for (const way of order) {
      const w = ways[way];
      console.log(
        `| ${way} | ${(w.ms / ROUNDS).toFixed(1)} / ${(w.cpuMs / ROUNDS).toFixed(1)} | ${((w.cpuMs * 1000) / ROUNDS / STREAMS).toFixed(0)} | ${(w.cpuMs / plain).toFixed(1)}× |`,
      );
    }
    console.log('(backend CPU from /proc in 10 ms ticks: read it over 20+ batches)');
  } finally {
    client.release();
    await db.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
