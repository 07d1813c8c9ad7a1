/**
 * The outbox relay over a store whose events are mostly internal (ADR 36): logistics' carrier scans are nearly all of
 * its events and none is published. N events are stored first (not timed): in every `BENCH_EVERY` one a published
 * `Opened` (a CaseOpened v1 payload), the others `ScanRecorded` with a scan's payload and a request's metadata. Then,
 * rounds alternating, a relay goes from the start to the last event (its checkpoint stored after every batch) with
 * either mapper, each on a fresh topic:
 *
 * - by type (`integrationEventsByType`): it names the types it publishes, so the relay reads only their payloads;
 * - a plain function answering `null` for the internal events (how every mapper was before): every payload is read,
 *   sent by Postgres, parsed and dropped.
 *
 * Prints wall time, this process's CPU (the relay: reading, mapping, producing) and Postgres' CPU per stored event.
 *
 *   npm run bench:relay-passing
 *   BENCH_EVENTS=100000 BENCH_EVERY=20 BENCH_ROUNDS=4 npm run bench:relay-passing
 */
import { randomUUID } from 'node:crypto';
import { openServiceDatabase, PostgresEventStore, START, type StoredEvent } from '@aftersales/eventstore';
import {
  integrationEventsByType,
  KafkaJsClient,
  OutboxRelay,
  type IntegrationEventMapper,
} from '@aftersales/messaging';
import { createTestDatabase, uniqueName } from '@aftersales/testing';
import {
  BROKERS,
  CASE_OPENED_TYPE,
  caseOpened,
  eventMetadata,
  kafka,
  log,
  observe,
  Resources,
  sleep,
  createTopics,
} from './support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const EVERY = Number(process.env.BENCH_EVERY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const BATCH = 500;

type Way = 'by type' | 'plain function';

const opened = (event: StoredEvent) => {
  const data = event.data as { caseId: string };
  return { type: CASE_OPENED_TYPE, subject: data.caseId, data: event.data };
};
const mappers: Record<Way, IntegrationEventMapper> = {
  'by type': integrationEventsByType({ Opened: opened }),
  'plain function': (event) => (event.type === 'Opened' ? opened(event) : null),
};

function scan(shipmentId: string, i: number) {
  const at = new Date().toISOString();
  return {
    shipmentId,
    caseId: null,
    current: true,
    scan: {
      eventId: `scan-${randomUUID()}`,
      status: 'in_transit',
      carrierStatus: 'InTransit',
      location: `Hub ${i % 50}`,
      occurredAt: at,
      receivedAt: at,
      exceptionCode: null,
      counted: null,
    },
  };
}

async function main(): Promise<void> {
  const resources = new Resources();
  try {
    const database = await createTestDatabase('bench_relay_passing');
    resources.defer(`database ${database.name}`, () => database.drop());
    const db = await openServiceDatabase({ serverUrl: database.url, database: database.name, poolSize: 4 });
    resources.defer('pool', () => db.close());
    const store = new PostgresEventStore(db.pool);
    log(`storing ${EVENTS} events, one in ${EVERY} published…`);
    for (let n = 0; n < EVENTS; n += BATCH) {
      await store.appendMany(
        Array.from({ length: Math.min(BATCH, EVENTS - n) }, (_, k) => {
          const i = n + k;
          const id = randomUUID();
          const published = i % EVERY === 0;
          return {
            streamId: `${published ? 'case' : 'shipment'}-${id}`,
            expected: 'no_stream' as const,
            events: [
              published
                ? { id: randomUUID(), type: 'Opened', data: caseOpened(id, i), metadata: eventMetadata() }
                : { id: randomUUID(), type: 'ScanRecorded', data: scan(id, i), metadata: eventMetadata() },
            ],
          };
        }),
        db.pool,
      );
    }
    const tail = (await store.readAll(START, EVENTS + 1)).at(-1)!;
    await db.pool.query('VACUUM ANALYZE es_events');

    const admin = kafka('bench-relay-passing-admin').admin();
    await admin.connect();
    resources.defer('kafka admin', () => admin.disconnect());
    const topics = Array.from({ length: ROUNDS + 1 }, () => ({
      'by type': uniqueName('bench.relay-typed'),
      'plain function': uniqueName('bench.relay-plain'),
    }));
    await createTopics(
      admin,
      resources,
      topics.flatMap((t) => [t['by type'], t['plain function']]),
    );
    const messaging = new KafkaJsClient({ clientId: 'bench-relay-passing', brokers: BROKERS });
    resources.defer('kafka client', () => messaging.close());

    const pass = async (way: Way, topic: string): Promise<number> => {
      const relay = new OutboxRelay({
        service: 'intake',
        topic,
        pool: db.pool,
        messaging,
        toIntegrationEvent: mappers[way],
        batchSize: BATCH,
        checkpointEveryMs: 0,
        idleMs: 10,
      });
      const started = performance.now();
      relay.start();
      while ((await relay.checkpoint()).position < tail.position) await sleep(5);
      const ms = performance.now() - started;
      await relay.stop();
      return ms;
    };
    const totals: Record<Way, { ms: number; self: number; postgres: number }> = {
      'by type': { ms: 0, self: 0, postgres: 0 },
      'plain function': { ms: 0, self: 0, postgres: 0 },
    };
    const order: Way[] = ['by type', 'plain function'];
    // Warm-up (not counted): both ways once.
    for (const way of order) await pass(way, topics[ROUNDS]![way]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const way of round % 2 ? [...order].reverse() : order) {
        const { value: ms, cpu } = await observe(() => pass(way, topics[round]![way]));
        totals[way].ms += ms;
        totals[way].self += cpu?.selfSeconds ?? Number.NaN;
        totals[way].postgres += cpu?.postgresSeconds ?? Number.NaN;
        log(
          `  round ${round + 1}, ${way}: ${ms.toFixed(0)} ms, relay ${cpu?.selfSeconds.toFixed(2)} s CPU, Postgres ${cpu?.postgresSeconds.toFixed(2)} s`,
        );
      }
    }
    console.log('');
    console.log(
      `| relay over ${EVENTS} events, one in ${EVERY} published | wall, ms | relay CPU per event, µs | Postgres CPU per event, µs |`,
    );
    console.log('| :-- | --: | --: | --: |');
    for (const way of order) {
      const t = totals[way];
      const per = (s: number) => ((s * 1e6) / ROUNDS / EVENTS).toFixed(1);
      console.log(`| ${way} | ${(t.ms / ROUNDS).toFixed(0)} | ${per(t.self)} | ${per(t.postgres)} |`);
    }
    const ratio = (k: 'self' | 'postgres') => (totals['by type'][k] / totals['plain function'][k]).toFixed(2);
    console.log(`\nby type / plain function: relay CPU ${ratio('self')}×, Postgres CPU ${ratio('postgres')}×`);
  } finally {
    await resources.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
