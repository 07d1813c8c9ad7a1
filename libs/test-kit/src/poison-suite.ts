import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { dlqTopic, type AnyEventContract, type EventData, type Service } from '@aftersales/contracts';
import { handledContracts } from '@aftersales/messaging';
import type { ServiceDefinition } from '@aftersales/service-runtime';
import { kafkaBrokers, readTopicWithKcat, uniqueName, type KcatMessage } from '@aftersales/testing';
import { contractMessage } from './contract-publisher';
import { startTestService, type TestService, type TestServiceOptions } from './test-service';
import { eventually } from './wait';

/** How a service's poison-message suite differs from the defaults. */
export interface PoisonSuiteOptions extends TestServiceOptions {
  /**
   * A valid payload of a contract for `tenant`, where the contract's first example does not suit the consumer (the
   * default takes the example, with the tenant, fresh UUIDs and the current time).
   */
  readonly samples?: Readonly<Record<string, (tenant: string) => unknown>>;
}

/** Tables whose rows are bookkeeping of delivery, not effects: the inbox itself and reader positions. */
const BOOKKEEPING = /^(es_inbox|es_checkpoints|migrations|typeorm_metadata)$/;

/**
 * Poison messages, inherited by every service: for every consumer of `definition` and every contract it handles,
 * unreadable, header-less, unknown-version, schema-violating, wrong-tenant and invalid-UTF-8 messages go to the
 * consumer's dead-letter topic with the reason (`dlq_error_code`, `dlq_reason`), the partition keeps moving (a good
 * message with the same key, behind them, is processed), and a redelivered message (same `ce_id`) has a single effect
 * (no table changes). On real Kafka and Postgres. A service's spec is one line:
 *
 * @example
 * ```ts
 * describePoisonMessages(surveysService);
 * ```
 */
export function describePoisonMessages(definition: ServiceDefinition, options: PoisonSuiteOptions = {}): void {
  const consumers = (definition.consumers ?? []).map((c) => ({
    consumer: c.consumer,
    contracts: handledContracts(c.handlers),
  }));
  describe(`${definition.service}: poison messages (every consumer, every handled contract)`, () => {
    if (consumers.length === 0) {
      it('has no consumers', () => expect(definition.consumers ?? []).toEqual([]));
      return;
    }
    const tenant = uniqueName('shop');
    let service: TestService;
    let kafka: Kafka;
    let producer: Producer;

    beforeAll(async () => {
      service = await startTestService(definition, options);
      kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, clientId: uniqueName('poison') });
      producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
      await producer.connect();
    });

    afterAll(async () => {
      await producer?.disconnect();
      await service?.close();
    });

    const sampleOf = (contract: AnyEventContract): EventData<AnyEventContract> => {
      const custom = options.samples?.[contract.type];
      return (custom ? custom(tenant) : freshSample(contract, tenant)) as EventData<AnyEventContract>;
    };

    /** Sends one message; answers where it landed (partition, offset). */
    const send = async (
      topic: string,
      message: { key: string; value: Buffer | string; headers: Record<string, string> },
    ) => {
      const [meta] = await producer.send({ topic, messages: [message] });
      return { partition: meta?.partition ?? 0, offset: meta?.baseOffset ?? '0' };
    };

    const inboxHas = async (consumer: string, eventId: string) => {
      const { rows } = await service.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM es_inbox WHERE consumer = $1 AND event_id = $2',
        [`${definition.service}.${consumer}`, eventId],
      );
      return Number(rows[0]?.n ?? 0);
    };

    const deadLetters = (consumer: string, ids: ReadonlySet<string>, count: number) =>
      readTopicWithKcat(dlqTopic(definition.service as Service, consumer), {
        count,
        timeoutMs: 45_000,
        until: (m) => ids.has(m.headers.ce_id ?? m.key ?? '') && m.headers.dlq_consumer === service.groupOf(consumer),
      });

    /** A good message reached its end: applied (an inbox row) or refused for good by the handler (dead-lettered). */
    const settled = async (consumer: string, eventId: string): Promise<'applied' | KcatMessage> =>
      eventually(async () => {
        if ((await inboxHas(consumer, eventId)) > 0) return 'applied' as const;
        const [dead] = await readTopicWithKcat(dlqTopic(definition.service as Service, consumer), {
          count: 1,
          timeoutMs: 1_000,
          until: (m) => m.headers.ce_id === eventId,
        }).catch(() => []);
        return dead;
      }, `event ${eventId} to be applied or dead-lettered by ${consumer}`);

    type Sent = { key: string; value: Buffer | string; headers: Record<string, string> };

    /** The six poisons of a contract, all with the key of the good message sent behind them. */
    const poisonsOf = (contract: AnyEventContract, key: string, good: Sent) => {
      const headers = good.headers;
      const poisons: Array<{ code: string; message: Sent }> = [
        {
          code: 'UNPARSEABLE',
          message: { key, value: '{"truncated": ', headers: { ...headers, ce_id: randomUUID() } },
        },
        {
          code: 'UNPARSEABLE',
          message: { key, value: invalidUtf8(String(good.value)), headers: { ...headers, ce_id: randomUUID() } },
        },
        { code: 'MISSING_HEADER', message: { key, value: String(good.value), headers: withoutType(headers) } },
        {
          code: 'UNKNOWN_VERSION',
          message: {
            key,
            value: String(good.value),
            headers: { ...headers, ce_id: randomUUID(), ce_type: contract.type.replace(/\.v\d+$/, '.v999') },
          },
        },
        {
          code: 'SCHEMA_VIOLATION',
          message: {
            key,
            value: JSON.stringify(violating(contract, JSON.parse(String(good.value)))),
            headers: { ...headers, ce_id: randomUUID() },
          },
        },
        {
          code: 'TENANT_MISMATCH',
          message: {
            key,
            value: JSON.stringify({ ...JSON.parse(String(good.value)), tenantId: `${tenant}-other` }),
            headers: { ...headers, ce_id: randomUUID() },
          },
        },
      ];
      return poisons;
    };

    // One test per consumer for all the contracts it handles, their messages sent together and checked together: the
    // same checks per contract as one test each, without a broker round of waits per contract (a consumer of every
    // case-naming contract, like intake's timeline, handles dozens).
    for (const { consumer, contracts } of consumers) {
      const names = contracts.map((c) => c.type.replace(/^aftersales\./, '')).join(', ');
      it(`${consumer} ← ${names}: unreadable, header-less, unknown-version, schema-violating, wrong-tenant and invalid-UTF-8 messages of each are dead-lettered with the reason; the good message behind them is processed`, async () => {
        const batches = contracts.map((contract) => {
          const key = `poison-${randomUUID()}`;
          const message = contractMessage(contract, sampleOf(contract) as never, { tenant });
          const good: Sent = { key, value: String(message.value), headers: { ...message.headers } };
          return { contract, good, poisons: poisonsOf(contract, key, good) };
        });
        for (const { contract, good, poisons } of batches) {
          for (const poison of poisons) await send(contract.topic, poison.message);
          await send(contract.topic, good);
        }
        const all = batches.flatMap((b) => b.poisons.map((p) => ({ contract: b.contract, ...p })));
        const ids = new Set(all.map((p) => p.message.headers.ce_id as string));
        const dead = await deadLetters(consumer, ids, all.length);
        const headersOf = new Map(dead.map((m) => [m.headers.ce_id, m.headers]));
        for (const poison of all) {
          const got = headersOf.get(poison.message.headers.ce_id as string);
          expect({ contract: poison.contract.type, expected: poison.code, got: got?.dlq_error_code }).toEqual({
            contract: poison.contract.type,
            expected: poison.code,
            got: poison.code,
          });
          expect(got?.dlq_reason?.length ?? 0).toBeGreaterThan(0);
          expect(got?.dlq_source_topic).toBe(poison.contract.topic);
        }
        const outcomes = await Promise.all(
          batches.map(async ({ contract, good }) => ({
            contract: contract.type,
            outcome: await settled(consumer, good.headers.ce_id as string),
          })),
        );
        for (const { contract, outcome } of outcomes) {
          const code = outcome === 'applied' ? 'applied' : outcome.headers.dlq_error_code;
          expect({ contract, code }).toEqual({ contract, code: code === 'applied' ? 'applied' : 'HANDLER_REJECTED' });
        }
      });

      it(`${consumer} ← ${names}: a redelivered message (same ce_id) of each has a single effect`, async () => {
        const firsts = contracts.map((contract) => {
          const message = contractMessage(contract, sampleOf(contract) as never, { tenant });
          const once: Sent = {
            key: message.key ?? randomUUID(),
            value: String(message.value),
            headers: { ...message.headers },
          };
          return { contract, once };
        });
        for (const { contract, once } of firsts) await send(contract.topic, once);
        await Promise.all(firsts.map(({ once }) => settled(consumer, once.headers.ce_id as string)));
        const before = await quiescentDigest(service, tenant);
        const furthest = new Map<string, { topic: string; partition: number; offset: number }>();
        for (const { contract, once } of firsts) {
          const again = await send(contract.topic, once);
          const at = `${contract.topic}/${again.partition}`;
          const offset = Number(again.offset);
          if ((furthest.get(at)?.offset ?? -1) < offset)
            furthest.set(at, { topic: contract.topic, partition: again.partition, offset });
        }
        await eventually(async () => {
          for (const { topic, partition, offset } of furthest.values()) {
            if ((await committedOffset(kafka, service.groupOf(consumer), topic, partition)) <= offset) return undefined;
          }
          return true;
        }, `${consumer} to move past the redelivered messages`);
        const after = await quiescentDigest(service, tenant);
        expect(changedTables(before, after)).toEqual([]);
        // At most once in the inbox (none when the handler refused the sample for good).
        for (const { contract, once } of firsts) {
          const rows = await inboxHas(consumer, once.headers.ce_id as string);
          expect({ contract: contract.type, atMostOnce: rows <= 1 }).toEqual({
            contract: contract.type,
            atMostOnce: true,
          });
        }
      });
    }
  });
}

/** The contract's first example for `tenant`: fresh UUIDs (a new aggregate each time) and the current time. */
export function freshSample<C extends AnyEventContract>(contract: C, tenant: string): EventData<C> {
  const examples = (contract.schema as { examples?: unknown[] }).examples;
  const example = examples?.[0];
  if (!example || typeof example !== 'object') {
    throw new Error(
      `${contract.type} has no example: add one to its schema (contracts), or pass a sample to the suite`,
    );
  }
  const properties = (contract.schema as { properties: Record<string, { format?: string }> }).properties;
  const now = new Date().toISOString();
  const sample: Record<string, unknown> = { ...(example as Record<string, unknown>), tenantId: tenant };
  for (const [name, property] of Object.entries(properties)) {
    if (typeof sample[name] !== 'string') continue;
    if (property.format === 'uuid') sample[name] = randomUUID();
    if (property.format === 'date-time') sample[name] = now;
  }
  return sample as EventData<C>;
}

/** The payload with one required field (other than the tenant) removed: valid JSON that breaks the contract. */
function violating(contract: AnyEventContract, payload: Record<string, unknown>): Record<string, unknown> {
  const required = ((contract.schema as { required?: string[] }).required ?? []).filter((f) => f !== 'tenantId');
  const field = required[0];
  if (!field) return { ...payload, tenantId: 42 };
  const { [field]: _removed, ...rest } = payload;
  return rest;
}

/** The JSON with a byte that is never UTF-8 (0xFF) inside the tenant's string: well-formed JSON, unreadable text. */
function invalidUtf8(json: string): Buffer {
  const at = json.indexOf('"tenantId":"') + '"tenantId":"'.length;
  return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xff]), Buffer.from(json.slice(at))]);
}

function withoutType(headers: Record<string, string>): Record<string, string> {
  const { ce_type: _type, ...rest } = headers;
  return { ...rest, ce_id: randomUUID() };
}

async function committedOffset(kafka: Kafka, groupId: string, topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const entry = offsets?.partitions.find((p) => p.partition === partition);
    return Number(entry?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A digest per table of the service's database (bookkeeping excluded), of the rows of `tenant`: where a table has a
 * `tenant` (or `tenant_id`) column its rows of that tenant, the events whose metadata names it and their streams' rows;
 * a table without a tenant is digested whole. Other test files run at the same time publish on the same shared topics
 * (other tenants' case openings, complaints…), which the service under test consumes as it would in production: their
 * effects are theirs, and an effect of a message of `tenant` can only touch `tenant`'s rows (tenant isolation).
 */
async function digest(service: TestService, tenant: string): Promise<Map<string, string>> {
  const pool = service.pool;
  const { rows: tables } = await pool.query<{ table_name: string; tenant_column: string | null }>(
    `SELECT t.table_name,
            (SELECT c.column_name FROM information_schema.columns c
              WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                AND c.column_name IN ('tenant', 'tenant_id')
              ORDER BY c.column_name LIMIT 1) AS tenant_column
       FROM information_schema.tables t
      WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      ORDER BY t.table_name`,
  );
  const result = new Map<string, string>();
  for (const { table_name: table, tenant_column: column } of tables) {
    if (BOOKKEEPING.test(table)) continue;
    const rowsOfTenant =
      table === 'es_events'
        ? `WHERE t.metadata->>'tenant' = $1`
        : table === 'es_streams'
          ? `WHERE t.stream_id IN (SELECT e.stream_id FROM es_events e WHERE e.metadata->>'tenant' = $1)`
          : column
            ? `WHERE t."${column}"::text = $1`
            : '';
    const { rows } = await pool.query<{ d: string }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM "${table}" t ${rowsOfTenant}`,
      rowsOfTenant ? [tenant] : [],
    );
    result.set(table, rows[0]?.d ?? '');
  }
  return result;
}

/** The digest once the service stopped changing its tables (background workers settle) for a second. */
async function quiescentDigest(service: TestService, tenant: string): Promise<Map<string, string>> {
  let previous = await digest(service, tenant);
  let stableSince = Date.now();
  const deadline = Date.now() + 30_000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const current = await digest(service, tenant);
    if (changedTables(previous, current).length > 0) {
      stableSince = Date.now();
      previous = current;
    } else if (Date.now() - stableSince >= 1_000) {
      return current;
    }
    if (Date.now() > deadline) {
      throw new Error(`the service's tables kept changing for 30 s: ${changedTables(previous, current).join(', ')}`);
    }
  }
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}
