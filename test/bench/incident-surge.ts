/**
 * A surge of complaints about one product batch through the incidents service (ADR 31): N `ComplaintRegistered`
 * events, as intake publishes them (same contract, same Kafka key: one batch, so one partition and one consumer, in
 * order), are published at once to intake's topic; incidents (a real process, its `main.ts`, on a fresh database)
 * clusters them, opens the batch's incident at the 10th customer, upgrades it at the 100th and attaches every complaint.
 *
 * Measured: the time until every complaint is clustered and until every one is attached to the incident, the rate per
 * tenth of the surge (does it slow down as the cluster and the incident grow?), and the service's CPU per complaint;
 * against a baseline in the same run: the same N messages produced to a fresh topic and read back by a bare kafkajs
 * consumer (no database).
 *
 *   npm run bench:incident-surge                          # 5,000 complaints
 *   BENCH_COMPLAINTS=20000 npm run bench:incident-surge
 *   INCIDENTS_CACHED_STREAMS=0 npm run bench:incident-surge   # without the cache of folds (ADR 32), for comparison
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';
import {
  ComplaintRegisteredV1,
  Topics,
  type ComplaintRegisteredV1 as ComplaintRegistered,
} from '@aftersales/contracts';
import { contractMessage, cpuSecondsOf, freePort, ServiceProcess } from '@aftersales/test-kit';
import { benchServiceEnv, BROKERS, waitForStableGroup, withDatabase } from './support';

const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 5_000);
const PUBLISH_BATCH = 500;
const SECRET = 'bench-secret-bench-secret-bench-secret';
/** Longest wait for the surge to be taken in, whatever the code under test: a run that slows down still ends. */
const DEADLINE_S = Number(process.env.BENCH_DEADLINE_S ?? 900);

const log = (m: string) => console.log(`[incident-surge ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function complaints(tenant: string, suffix: string): ComplaintRegistered[] {
  const registeredAt = new Date().toISOString();
  return Array.from({ length: COMPLAINTS }, (_, i) => ({
    complaintId: randomUUID(),
    tenantId: tenant,
    customerId: `cus-${suffix}-${i}`,
    orderId: `ORD-${suffix}-${i}`,
    productSku: 'PB-20000',
    batch: `B-${suffix}`,
    region: `CN-${i % 31}`,
    category: 'product-quality',
    description: 'The power bank swelled while charging.',
    evidenceRefs: [],
    flags: { personalInjury: false, propertyLoss: false, mediaExposure: false, legalThreat: false },
    registeredAt,
  })) as ComplaintRegistered[];
}

/** Sends the complaints to `topic` as intake's relay would (the contract's key and headers), in batches. */
async function publish(producer: Producer, topic: string, payloads: readonly ComplaintRegistered[]): Promise<void> {
  for (let i = 0; i < payloads.length; i += PUBLISH_BATCH) {
    const messages = payloads
      .slice(i, i + PUBLISH_BATCH)
      .map((p) => contractMessage(ComplaintRegisteredV1, p))
      .map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
    await producer.send({ topic, messages, acks: -1 });
  }
}

/** The bare hop: the same messages produced to a fresh topic and consumed by a plain kafkajs consumer. */
async function bareKafka(kafka: Kafka, payloads: readonly ComplaintRegistered[], suffix: string): Promise<number> {
  const topic = `bench.surge.${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `bench-surge-bare-${suffix}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) JSON.parse(message.value?.toString() ?? '{}');
      seen += batch.messages.length;
      if (seen >= payloads.length) done();
    },
  });
  const t = performance.now();
  await publish(producer, topic, payloads);
  await all;
  const seconds = (performance.now() - t) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return seconds;
}

async function main(): Promise<void> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const database = `bench_incidents_${suffix}`;
  const tenant = `bench-${suffix}`;
  const incidents = new ServiceProcess('incidents', await freePort(), benchServiceEnv(suffix, database, SECRET));
  const kafka = new Kafka({ clientId: 'incident-surge-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const payloads = complaints(tenant, suffix);
  try {
    log(`baseline: ${COMPLAINTS} of the same messages through a bare Kafka hop…`);
    const bare = await bareKafka(kafka, payloads, suffix);
    log(`  ${bare.toFixed(2)} s`);

    log(`starting incidents (real process, fresh database ${database})…`);
    await incidents.start(120_000);
    await waitForStableGroup(kafka, `bench-${suffix}.incidents.complaint-clustering`);
    const cpuBefore = cpuSecondsOf(incidents.pid) ?? Number.NaN;

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t0 = performance.now();
    await publish(producer, Topics.intake, payloads);
    await producer.disconnect();
    log(`  ${COMPLAINTS} complaints published in ${((performance.now() - t0) / 1000).toFixed(2)} s; waiting…`);

    // Progress from the service's own store: complaints clustered and attached, polled every 250 ms.
    const tenths: number[] = []; // seconds at which each tenth of the complaints was clustered
    let clusteredAt = Number.NaN;
    let attachedAt = Number.NaN;
    let last = { clustered: 0, attached: 0 };
    await withDatabase(database, async (c) => {
      let lastLog = 0;
      while ((performance.now() - t0) / 1000 < DEADLINE_S) {
        const { rows } = await c.query<{ clustered: string; attached: string }>(
          `SELECT count(*) FILTER (WHERE type = 'ComplaintClustered') AS clustered,
                  count(*) FILTER (WHERE type = 'ComplaintAttached') AS attached
             FROM es_events WHERE type IN ('ComplaintClustered', 'ComplaintAttached')`,
        );
        last = { clustered: Number(rows[0]?.clustered), attached: Number(rows[0]?.attached) };
        const at = (performance.now() - t0) / 1000;
        while (tenths.length < 10 && last.clustered >= ((tenths.length + 1) * COMPLAINTS) / 10) tenths.push(at);
        if (Number.isNaN(clusteredAt) && last.clustered >= COMPLAINTS) clusteredAt = at;
        if (Number.isNaN(attachedAt) && last.attached >= COMPLAINTS) attachedAt = at;
        if (!Number.isNaN(clusteredAt) && !Number.isNaN(attachedAt)) break;
        if (at - lastLog >= 10) {
          lastLog = at;
          log(`  ${at.toFixed(0)} s: ${last.clustered} clustered, ${last.attached} attached`);
        }
        await sleep(250);
      }
    });
    const cpu = (cpuSecondsOf(incidents.pid) ?? Number.NaN) - cpuBefore;
    const peakMiB = incidents.peakMemoryMiB() ?? Number.NaN;
    const finished = Number.isNaN(attachedAt) ? Number.NaN : attachedAt;
    if (Number.isNaN(finished)) {
      log(`  NOT finished within ${DEADLINE_S} s: ${last.clustered} clustered, ${last.attached} attached`);
    }
    const rateOf = (i: number) => COMPLAINTS / 10 / ((tenths[i] ?? Number.NaN) - (i === 0 ? 0 : (tenths[i - 1] ?? 0)));
    const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

    console.log('');
    console.log('| measurement | value |');
    console.log('| :-- | --: |');
    console.log(`| complaints about one batch, published at once | ${COMPLAINTS} |`);
    console.log(`| all clustered, s | ${fmt(clusteredAt, 1)} |`);
    console.log(`| all attached to the incident, s | ${fmt(attachedAt, 1)} |`);
    console.log(`| complaints/s, whole surge | ${fmt(COMPLAINTS / finished)} |`);
    console.log(`| complaints/s in the first tenth / the last tenth | ${fmt(rateOf(0))} / ${fmt(rateOf(9))} |`);
    console.log(`| incidents CPU per complaint, ms | ${fmt((cpu * 1000) / COMPLAINTS, 2)} |`);
    console.log(`| incidents peak memory (RSS), MiB | ${fmt(peakMiB)} |`);
    console.log(`| baseline: the same messages through a bare Kafka hop, s | ${fmt(bare, 2)} |`);
    console.log(`| ours / baseline (time) | ${fmt(finished / bare, 1)}× |`);
    console.log('');
    console.log(`Tenths clustered at (s): ${tenths.map((t) => t.toFixed(1)).join(', ')}`);
  } finally {
    await incidents.stop();
    await withDatabase('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(
      () => undefined,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
