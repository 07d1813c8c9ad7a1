import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import { eventKey, validateEvent } from '@aftersales/contracts';
import {
  CommitPacer,
  loadCheckpoint,
  PostgresEventStore,
  saveCheckpoint,
  type Checkpoint,
  type StoredEvent,
} from '@aftersales/eventstore';
import { platformMetrics, type Logger } from '@aftersales/observability';
import { toKafkaMessage, type IntegrationEventMapper, type TypedIntegrationEventMapper } from './cloudevents';
import type { MessageProducer, MessagingClient, OutgoingMessage } from './ports';

const tracer = trace.getTracer('@aftersales/messaging');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The leader connection broke: the session advisory lock went with it, so this instance must not publish. */
export class LeadershipLostError extends Error {
  readonly code = 'MESSAGING.RELAY_LEADERSHIP_LOST';
  constructor(topic: string, cause?: unknown) {
    super(`The outbox relay of ${topic} lost its leader connection (and with it the leadership)`, { cause });
    this.name = 'LeadershipLostError';
  }
}

/** An event the relay refuses to publish because it breaks its own contract: a producer bug. */
export class ContractViolationError extends Error {
  readonly code = 'MESSAGING.CONTRACT_VIOLATION';
  constructor(
    readonly eventId: string,
    readonly ceType: string,
    detail: string,
  ) {
    super(`Refusing to publish event ${eventId} (${ceType}): ${detail}`);
    this.name = 'ContractViolationError';
  }
}

export interface OutboxRelayOptions {
  readonly service: string;
  readonly topic: string;
  readonly pool: Pool;
  /**
   * Where the relay gets its producer: a new fenced (transactional) producer for each term as leader, so a previous
   * leader that lost its lock with its connection, but still has a send in flight, can publish nothing once this
   * term began (see {@link OutboxRelay}).
   */
  readonly messaging: Pick<MessagingClient, 'producer'>;
  readonly toIntegrationEvent: IntegrationEventMapper;
  readonly logger?: Logger;
  readonly batchSize?: number;
  /**
   * Longest wait when caught up. A commit in this process ends it early (`waitForCommit`); events other replicas
   * commit are found by this timeout (NOTIFY would serialise every commit).
   */
  readonly idleMs?: number;
  /**
   * How often the published position is written (default 1 s; and when the relay stops or loses the leadership).
   * The position in memory drives publishing; the stored one is where a new leader resumes, so a crash republishes
   * at most this much, which consumers' inboxes absorb (delivery is at-least-once anyway). Not after every batch:
   * that was a statement and a WAL flush per batch, about one per request under load.
   */
  readonly checkpointEveryMs?: number;
  /**
   * Shortest time between the starts of two reads while commits keep coming (default 10 ms): under load one read and
   * one produce request carry the events of the last few milliseconds instead of one each; an event committed after
   * a quiet spell is still published at once.
   */
  readonly minPollIntervalMs?: number;
  /** How often a standby instance tries to take the leadership. */
  readonly standbyMs?: number;
}

/**
 * The outbox relay: the event table is the outbox. One instance per service holds a Postgres
 * advisory lock and publishes, in global order, every stored event to the service's topic (key = the aggregate id,
 * or the contract's `partitionKey`; CloudEvents headers, idempotent producer), then records its checkpoint once the broker
 * acknowledged. Delivery is at-least-once; consumers deduplicate through their inbox.
 *
 * Leadership is a session advisory lock on a dedicated connection, so it ends with that connection: a database
 * restart, a failover or `pg_terminate_backend` releases it, and another instance (or this one, once it reconnects)
 * takes it. This instance notices at once (the connection's `error`/`end` events), stops before its next send and
 * competes again with backoff. A send already in flight cannot be recalled, so each term publishes through a new
 * fenced producer (a Kafka transactional id per topic and database): the next leader's producer fences the previous
 * one, whose in-flight transaction is aborted, so two leaders never publish at once and the first copy of every event
 * on the topic is in store order. The new leader resumes from the stored checkpoint (at most `checkpointEveryMs` of
 * events are published again; inboxes absorb them).
 *
 * @example
 * ```ts
 * const relay = new OutboxRelay({ service: 'intake', topic: Topics.intake, pool, messaging, toIntegrationEvent });
 * relay.start(); … await relay.stop();
 * ```
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private leaderClient: PoolClient | null = null;
  /** Set by the leader connection's `error`/`end` events: the lock is gone, publish nothing more. */
  private leaderLost: Error | null = null;
  private producer: MessageProducer | null = null;
  private failure: unknown = null;
  private current: Checkpoint | undefined;
  /** Published past this but not yet stored as the checkpoint. */
  private unsaved: Checkpoint | undefined;
  private savedAt = 0;
  private lagMeasuredAt = 0;
  private readonly checkpointName: string;
  private readonly store: PostgresEventStore;
  private readonly pacer: CommitPacer;
  /** The types the mapper publishes, when it names them (ADR 36): the only ones whose payloads are read. */
  private readonly publishes: readonly string[] | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.checkpointName = `outbox-relay:${options.topic}`;
    this.pacer = new CommitPacer({ idleMs: options.idleMs ?? 100, minIntervalMs: options.minPollIntervalMs ?? 10 });
    this.store = new PostgresEventStore(options.pool);
    this.publishes = (options.toIntegrationEvent as Partial<TypedIntegrationEventMapper>).publishes;
  }

  get isLeader(): boolean {
    return this.leaderClient !== null && this.leaderLost === null;
  }

  /** The error that stopped the last attempt to publish (null once a batch went through), for diagnostics. */
  get lastError(): unknown {
    return this.failure;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pacer.restart();
    this.loop = this.run();
  }

  /**
   * Stops publishing, stores the published position and gives the leadership up. With `drainUntil` (a time, ms since
   * the epoch) a leader first publishes what is stored but not yet published, until caught up or that time: a graceful
   * shutdown, once nothing more is written, leaves nothing for the next leader to publish.
   */
  async stop(options: { drainUntil?: number } = {}): Promise<void> {
    this.running = false;
    this.pacer.stop();
    await this.loop;
    if (options.drainUntil !== undefined && this.isLeader) {
      try {
        while (Date.now() < options.drainUntil && (await this.publishBatch()) > 0) {
          // publishes until a read finds nothing new
        }
      } catch (error) {
        this.options.logger?.warn(
          { err: error, topic: this.options.topic },
          'outbox relay could not publish everything before stopping; the next leader will',
        );
      }
    }
    await this.releaseLeadership();
  }

  /** Publishes one batch if leader; returns the number of stored events it moved past. */
  async publishBatch(): Promise<number> {
    const client = this.leaderClient;
    const producer = this.producer;
    if (!client || !producer) return 0;
    // The leader is the only writer of its checkpoint: load it once per leadership, then keep it in memory.
    this.current ??= await loadCheckpoint(client, this.checkpointName);
    const { events, through: last, read } = await this.read(this.current, client);
    if (last) {
      const sent: StoredEvent[] = [];
      const messages = events.flatMap((event) => {
        const message = this.toMessage(event);
        if (message.length > 0) sent.push(event);
        return message;
      });
      // The read went through the leader connection, but it may have broken since: then the lock is gone.
      if (this.leaderLost) throw new LeadershipLostError(this.options.topic, this.leaderLost);
      await producer.send(this.options.topic, messages);
      // Acknowledged by the broker: the position may be stored.
      this.current = last;
      this.unsaved = last;
      platformMetrics.relayPublished.inc({ service: this.options.service, topic: this.options.topic }, messages.length);
      const acknowledgedAt = Date.now();
      // Events published, not every event read: an internal one is never acknowledged by anyone.
      for (const event of sent) {
        platformMetrics.relayAckLatency.observe(
          { service: this.options.service },
          Math.max(0, acknowledgedAt - event.recordedAt.getTime()) / 1000,
          { traceparent: event.metadata.traceparent },
        );
      }
    }
    if (Date.now() - this.savedAt >= (this.options.checkpointEveryMs ?? 1_000)) await this.saveProgress(client);
    if (!last) platformMetrics.relayLagEvents.set({ service: this.options.service }, 0);
    else if (Date.now() - this.lagMeasuredAt > 1_000) {
      // Lag is a gauge for dashboards: once a second is enough, not a query per batch.
      this.lagMeasuredAt = Date.now();
      const head = await this.store.headPosition(client);
      platformMetrics.relayLagEvents.set({ service: this.options.service }, Number(head - last.position));
    }
    return read;
  }

  /**
   * The next batch after `after`: every event, or — when the mapper names the types it publishes
   * ({@link TypedIntegrationEventMapper}) — the events of those types, the others passed by position unread (ADR 36).
   */
  private async read(
    after: Checkpoint,
    client: PoolClient,
  ): Promise<{ readonly events: StoredEvent[]; readonly through: Checkpoint | undefined; readonly read: number }> {
    if (this.publishes) return this.store.readAllOf(after, this.publishes, this.batchSize, client);
    const events = await this.store.readAll(after, this.batchSize, client);
    return { events, through: events.at(-1), read: events.length };
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  /** Current checkpoint, for tests and diagnostics. */
  async checkpoint(): Promise<Checkpoint> {
    return loadCheckpoint(this.options.pool, this.checkpointName);
  }

  private toMessage(event: StoredEvent): OutgoingMessage[] {
    const integration = this.options.toIntegrationEvent(event);
    if (!integration) return [];
    const validation = validateEvent(integration.type, integration.data);
    if (!validation.ok) throw new ContractViolationError(event.id, integration.type, validation.message);
    // The publish span continues the trace of the request that stored the event.
    const stored = propagation.extract(ROOT_CONTEXT, {
      traceparent: event.metadata.traceparent,
      tracestate: event.metadata.tracestate,
    });
    const span = tracer.startSpan(
      `${this.options.topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'publish',
          'messaging.destination.name': this.options.topic,
          'messaging.message.id': event.id,
          'cloudevents.event_type': integration.type,
        },
      },
      stored,
    );
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    span.end();
    return [
      toKafkaMessage(
        this.options.service,
        event,
        integration,
        carrier.traceparent ?? event.metadata.traceparent,
        // The contract decides the key: the subject, or what the event is about (complaints: product or region).
        eventKey(validation.contract, integration.data as never),
      ),
    ];
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (this.leaderLost) throw new LeadershipLostError(this.options.topic, this.leaderLost);
        if (!this.leaderClient && !(await this.tryTakeLeadership())) {
          await sleep(this.options.standbyMs ?? 1_000);
          continue;
        }
        this.pacer.pollStarts();
        const published = await this.publishBatch();
        this.failure = null;
        backoff = 100;
        // A short batch: caught up as of its read. Wait for a commit in this process since the read began (at once
        // if there was one), or the idle timeout (other replicas' commits, the periodic checkpoint).
        if (published < this.batchSize) await this.pacer.waitForMore();
      } catch (error) {
        this.failure = error;
        this.options.logger?.error({ err: error, topic: this.options.topic }, 'outbox relay failed; retrying');
        // A broken leader connection loses the lock, a failed send may leave the producer unusable: give both up
        // and compete again (a new term, a new fenced producer).
        await this.releaseLeadership();
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private async tryTakeLeadership(): Promise<boolean> {
    const client = await this.options.pool.connect();
    let database: string;
    try {
      const { rows } = await client.query<{ locked: boolean; database: string }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked, current_database() AS database',
        [this.checkpointName],
      );
      if (!rows[0]?.locked) {
        client.release();
        return false;
      }
      database = rows[0].database;
    } catch (error) {
      client.release(true);
      throw error;
    }
    // From here the lock lives as long as this connection: watch it.
    this.leaderLost = null;
    const lost = (error?: Error) => {
      if (this.leaderClient !== client || this.leaderLost) return;
      this.leaderLost = error ?? new Error('leader connection ended');
      this.options.logger?.warn({ err: error, topic: this.options.topic }, 'outbox relay lost its leader connection');
      // End a wait for commits now: the loop then gives the leadership up instead of idling as a false leader.
      this.pacer.stop();
      this.pacer.restart();
    };
    client.on('error', lost);
    client.on('end', lost);
    this.leaderClient = client;
    try {
      // Fences the previous term's producer (this instance's or another's): its open transaction is aborted and
      // nothing it sends from now on is accepted.
      this.producer = await this.options.messaging.producer({
        transactionalId: `aftersales.relay.${this.options.topic}.${database}`,
      });
    } catch (error) {
      await this.releaseLeadership();
      throw error;
    }
    platformMetrics.relayIsLeader.set({ service: this.options.service }, 1);
    this.options.logger?.info({ topic: this.options.topic }, 'outbox relay is leader');
    return true;
  }

  /** Stores the published position if it moved since it was last stored. */
  private async saveProgress(client: PoolClient): Promise<void> {
    const position = this.unsaved;
    if (!position) return;
    await saveCheckpoint(client, this.checkpointName, position);
    if (this.unsaved === position) this.unsaved = undefined;
    this.savedAt = Date.now();
  }

  private async releaseLeadership(): Promise<void> {
    const client = this.leaderClient;
    if (!client) return;
    const lost = this.leaderLost !== null;
    // What was acknowledged is stored before letting go, so the next leader does not publish it again (impossible
    // when the connection broke: the next leader then resumes from the last stored position).
    if (!lost) await this.saveProgress(client).catch(() => undefined);
    this.unsaved = undefined;
    this.leaderClient = null;
    this.leaderLost = null;
    this.current = undefined;
    platformMetrics.relayIsLeader.set({ service: this.options.service }, 0);
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
    if (!lost) {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.checkpointName]).catch(() => undefined);
    }
    // Destroy rather than return the connection: a session lock must never leak into the pool.
    client.release(true);
  }
}
