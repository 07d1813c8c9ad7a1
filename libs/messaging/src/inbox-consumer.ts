import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import {
  CloudEventHeaders,
  dlqTopic,
  extensionHeader,
  validateEvent,
  type DeadLetterCode as ContractDeadLetterCode,
} from '@aftersales/contracts';
import { DomainError } from '@aftersales/domain';
import {
  ConcurrencyError,
  isDatabaseUnavailable,
  PostgresEventStore,
  signalCommitted,
  StreamSession,
  takeEventsStored,
  type SessionFoldCache,
} from '@aftersales/eventstore';
import { platformMetrics, type Logger } from '@aftersales/observability';
import type {
  BatchControl,
  IncomingMessage,
  MessageConsumer,
  MessageProducer,
  MessagingClient,
  OutgoingMessage,
} from './ports';

const tracer = trace.getTracer('@aftersales/messaging');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An event received from Kafka, decoded from its CloudEvents headers and validated against its contract. */
export interface ConsumedEvent<Data = unknown> {
  readonly id: string;
  /** `ce_type`, e.g. `aftersales.intake.case-opened.v1`. */
  readonly type: string;
  readonly source: string;
  readonly subject: string | undefined;
  readonly time: string | undefined;
  readonly tenant: string;
  readonly correlationId: string;
  readonly causationId: string | undefined;
  readonly traceparent: string | undefined;
  readonly tracestate?: string | undefined;
  readonly data: Data;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
}

/**
 * Applies one event inside the inbox transaction; everything it writes commits with the inbox row. `session` is the
 * chunk transaction's {@link StreamSession} (deferred appends): pass it to `handleCommand` so the chunk's events
 * read each stream once and append once per stream, when the inbox flushes the session before committing.
 */
export type InboxHandler = (event: ConsumedEvent, tx: PoolClient, session: StreamSession) => Promise<void>;

/**
 * Thrown by a handler for an event that can never succeed and is not a decider's rule (a `DomainError` is dead-lettered
 * the same way without wrapping): e.g. an event about something this service has never heard of.
 */
export class PermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

/**
 * Why a message was dead-lettered; the `dlq_error_code` header, published as `DeadLetterCodes` in
 * `@aftersales/contracts`. One set for every consumer of the platform:
 * - `UNPARSEABLE`, `MISSING_HEADER`, `UNKNOWN_TYPE`, `UNKNOWN_VERSION`, `SCHEMA_VIOLATION`: unreadable against the
 *   contracts, before any handler ran;
 * - `TENANT_MISMATCH`: the payload's `tenantId` differs from the `ce_tenantid` header (a producer bug; never applied);
 * - `HANDLER_REJECTED`: the handler refused it for good: a broken business rule (`DomainError`, its code in
 *   `dlq_handler_code` and the rule in `dlq_reason`) or a `PermanentError`;
 * - `RETRIES_EXHAUSTED`: an unexpected error repeated `maxAttempts` times.
 * Transient errors (database or broker away, lost races) are retried with backoff and never dead-lettered.
 */
export type DeadLetterCode = ContractDeadLetterCode;

type Decoded =
  | { readonly ok: true; readonly message: IncomingMessage; readonly event: ConsumedEvent }
  | {
      readonly ok: false;
      readonly message: IncomingMessage;
      readonly code: DeadLetterCode;
      readonly reason: string;
      readonly handlerCode?: string;
    };

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

const REQUIRED_HEADERS = [
  CloudEventHeaders.id,
  CloudEventHeaders.type,
  CloudEventHeaders.source,
  CloudEventHeaders.specVersion,
] as const;

/**
 * Decodes a Kafka message into a contract-valid event, or says why it never can be. The platform's extensions are read
 * under their CloudEvents names (`ce_tenantid`, `ce_correlationid`, `ce_causationid`) or, for one version of the
 * contracts, under their deprecated names (`tenant`, `correlation_id`, `causation_id`): a message of an older producer,
 * or a dead letter redriven from before the upgrade, is still applied (ADR 16).
 */
export function decodeMessage(message: IncomingMessage): Decoded {
  const h = message.headers;
  const tenant = extensionHeader(h, 'tenant');
  const missing: string[] = REQUIRED_HEADERS.filter((name) => !h[name]);
  if (!tenant) missing.push(CloudEventHeaders.tenant);
  if (missing.length > 0) {
    return { ok: false, message, code: 'MISSING_HEADER', reason: `missing CloudEvents headers: ${missing.join(', ')}` };
  }
  let text: string;
  try {
    // Strict: bytes that are not UTF-8 make the message unreadable, instead of being replaced by U+FFFD unnoticed.
    text = STRICT_UTF8.decode(message.value ?? new Uint8Array());
  } catch {
    return { ok: false, message, code: 'UNPARSEABLE', reason: 'value is not UTF-8 text' };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, message, code: 'UNPARSEABLE', reason: `value is not JSON: ${(error as Error).message}` };
  }
  const ceType = h.ce_type as string;
  const validation = validateEvent(ceType, data);
  if (!validation.ok) return { ok: false, message, code: validation.code, reason: validation.message };
  const payloadTenant = (data as { tenantId?: unknown }).tenantId;
  if (payloadTenant !== tenant) {
    return {
      ok: false,
      message,
      code: 'TENANT_MISMATCH',
      reason: `payload tenantId ${JSON.stringify(payloadTenant)} differs from the tenant header "${tenant}"`,
    };
  }
  return {
    ok: true,
    message,
    event: {
      id: h.ce_id as string,
      type: ceType,
      source: h.ce_source as string,
      subject: h.ce_subject,
      time: h.ce_time,
      tenant: tenant as string,
      correlationId: extensionHeader(h, 'correlationId') ?? (h.ce_id as string),
      causationId: extensionHeader(h, 'causationId'),
      traceparent: h.traceparent,
      tracestate: h.tracestate,
      data,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
    },
  };
}

/** Errors worth retrying: the database or broker is briefly away, or a concurrent writer won a race. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ConcurrencyError || (error as { code?: unknown })?.code === 'MESSAGING.INBOX_RACE') return true;
  // The database went away (restart, failover): "Connection terminated unexpectedly" carries no code.
  if (isDatabaseUnavailable(error)) return true;
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return (
    /^(08|53|57P|40001|40P01|55P03)/.test(code) || /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)$/.test(code)
  );
}

/** The connection itself failed (not a race or a rule): it must not go back to the pool. */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    isDatabaseUnavailable(error) ||
    (typeof code === 'string' && /^(08|57P|ECONNREFUSED$|ECONNRESET$|ETIMEDOUT$|EPIPE$)/.test(code))
  );
}

function isRace(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return error instanceof ConcurrencyError || code === 'MESSAGING.INBOX_RACE' || code === '40001' || code === '40P01';
}

export interface InboxConsumerOptions {
  /** Service owning the consumer; names its dead-letter topic. */
  readonly service: string;
  /** Stable consumer name: Kafka group `<service>.<consumer>`, inbox key, DLQ `aftersales.<service>.<consumer>.dlq`. */
  readonly consumer: string;
  readonly topics: readonly string[];
  /** Prefixes the Kafka group id only (not the inbox key or DLQ), to run isolated copies on one cluster. */
  readonly groupPrefix?: string;
  readonly pool: Pool;
  readonly messaging: MessagingClient;
  /** Handler per `ce_type`; events of other types are acknowledged and ignored. */
  readonly handlerFor: (ceType: string) => InboxHandler | undefined;
  readonly logger?: Logger;
  /** Attempts for an error that is neither known-transient nor permanent before dead-lettering. */
  readonly maxAttempts?: number;
  readonly chunkSize?: number;
  readonly maxBackoffMs?: number;
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Where a new consumer group starts: the topic's beginning (default: a new service catches up on history)
   * or its end (an isolated copy for a drill or a benchmark that must not replay other tenants' history).
   */
  readonly fromBeginning?: boolean;
  /** How often the group's broker-side lag is read from the admin API (default 15 s). */
  readonly groupLagIntervalMs?: number;
  /**
   * Folds the handlers' deciders keep between this consumer's transactions (`FoldCache`s, ADR 32): a chunk reads a
   * cached stream from its cached version on, and the folds are cached again once the chunk committed. For consumers
   * whose partition key groups events on the same long streams (complaints about one product batch).
   */
  readonly foldCaches?: readonly SessionFoldCache[];
}

class StaleBatch extends Error {}

interface DeadLetter {
  readonly message: IncomingMessage;
  readonly code: DeadLetterCode;
  readonly reason: string;
  /** The stable code of the handler's refusal (`DomainError` or `PermanentError`), when it refused. */
  readonly handlerCode?: string;
}

/** Why a handler's refusal is final, for `dlq_reason` and `dlq_handler_code`: code, message and the broken rule. */
function rejection(error: unknown): { reason: string; handlerCode?: string } {
  if (error instanceof DomainError) {
    const rule = error.rule ? ` (rule: ${error.rule})` : '';
    return { reason: `${error.code}: ${error.message}${rule}`, handlerCode: error.code };
  }
  if (error instanceof PermanentError) return { reason: `${error.code}: ${error.message}`, handlerCode: error.code };
  return { reason: `${(error as Error).name}: ${(error as Error).message}` };
}

/** Another consumer instance recorded the same events first; the chunk is retried and skips them. */
class InboxRaceError extends Error {
  readonly code = 'MESSAGING.INBOX_RACE';
  constructor(consumer: string) {
    super(`Events were applied concurrently by another instance of ${consumer}`);
    this.name = 'InboxRaceError';
  }
}

/**
 * The inbox consumer: records (consumer, event id) in the same Postgres transaction as the handler's
 * effects and lets the offset be committed only after that transaction, so a redelivered event has no
 * second effect. Unreadable or invalid messages, and events a handler rejects for good, go to the
 * dead-letter topic with the reason in headers; the partition moves on. Transient failures retry with
 * exponential backoff without losing or skipping anything.
 */
export class InboxConsumer {
  private consumer: MessageConsumer | null = null;
  private producer: MessageProducer | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private groupLagTimer: NodeJS.Timeout | null = null;
  private groupLagReading: Promise<void> | null = null;
  private readonly attempts = new Map<string, number>();
  readonly groupId: string;
  /** Key of this consumer's rows in `es_inbox`. */
  readonly inboxKey: string;
  readonly deadLetterTopic: string;

  private readonly store: PostgresEventStore;

  constructor(private readonly options: InboxConsumerOptions) {
    this.store = new PostgresEventStore(options.pool);
    this.inboxKey = `${options.service}.${options.consumer}`;
    this.groupId = `${options.groupPrefix ?? ''}${this.inboxKey}`;
    this.deadLetterTopic = dlqTopic(options.service as Parameters<typeof dlqTopic>[0], options.consumer);
  }

  async start(): Promise<void> {
    await this.options.messaging.ensureTopics([{ topic: this.deadLetterTopic, partitions: 1 }]);
    this.producer = await this.options.messaging.producer();
    this.consumer = await this.options.messaging.consumer(this.groupId);
    await this.consumer.run({
      groupId: this.groupId,
      topics: this.options.topics,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      fromBeginning: this.options.fromBeginning ?? true,
      eachBatch: (messages, control) => this.handleBatch(messages, control),
    });
    this.lagTimer = setInterval(() => this.reportLag(), 5_000).unref();
    void this.reportGroupLag();
    this.groupLagTimer = setInterval(() => void this.reportGroupLag(), this.options.groupLagIntervalMs ?? 15_000);
    this.groupLagTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    // A reading in progress is not awaited: with the broker away it could take its whole retry budget.
    if (this.groupLagTimer) clearInterval(this.groupLagTimer);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.consumer = null;
    this.producer = null;
  }

  /** Processes one partition's batch; exported for adapters and tests through {@link InboxConsumer.start}. */
  async handleBatch(messages: readonly IncomingMessage[], control: BatchControl): Promise<void> {
    const chunkSize = this.options.chunkSize ?? 100;
    for (let i = 0; i < messages.length; i += chunkSize) {
      await this.handleChunk(messages.slice(i, i + chunkSize), control);
    }
    this.reportLag();
  }

  private async handleChunk(messages: readonly IncomingMessage[], control: BatchControl): Promise<void> {
    const decoded = messages.map(decodeMessage);
    const deadLetters: DeadLetter[] = [];
    for (const d of decoded) if (!d.ok) deadLetters.push(d);
    const raw = new Map(decoded.flatMap((d) => (d.ok ? [[d.event.id, d.message] as const] : [])));
    let pending = decoded.flatMap((d) => (d.ok ? [d.event] : []));
    const ignored = pending.filter((e) => !this.options.handlerFor(e.type));
    pending = pending.filter((e) => this.options.handlerFor(e.type));

    let backoff = 100;
    for (;;) {
      if (control.isStale()) throw new StaleBatch('partition revoked');
      try {
        const outcome = await this.applyInTransaction(pending);
        if (outcome.kind === 'committed') {
          this.count('processed', outcome.processed);
          this.count('duplicate', outcome.duplicates);
          break;
        }
        // One event can never succeed: dead-letter it and apply the others without it.
        deadLetters.push({
          message: raw.get(outcome.eventId) as IncomingMessage,
          code: outcome.code,
          reason: outcome.reason,
          ...(outcome.handlerCode ? { handlerCode: outcome.handlerCode } : {}),
        });
        pending = pending.filter((e) => e.id !== outcome.eventId);
      } catch (error) {
        backoff = await this.beforeRetry(error, backoff, control, messages[0]?.topic ?? '');
      }
    }
    this.count('ignored', ignored.length);
    if (deadLetters.length > 0) await this.sendToDeadLetters(deadLetters);
  }

  /** Waits before the chunk's transaction is tried again; returns the next backoff. */
  private async beforeRetry(error: unknown, backoff: number, control: BatchControl, topic: string): Promise<number> {
    // Shutting down: no retry now; nothing of this batch is committed, so it is redelivered after the restart.
    if (control.isStopping()) throw new StaleBatch(`consumer stopping; the batch failed: ${(error as Error).message}`);
    platformMetrics.retries.inc({ consumer: this.groupId, topic });
    if (isRace(error)) {
      // A concurrent writer won a race on the same aggregate: re-read and go again almost at once.
      await sleep(5 + Math.random() * 20);
      return backoff;
    }
    this.options.logger?.warn({ err: error, consumer: this.groupId }, 'inbox transaction failed; retrying');
    await sleep(backoff);
    await control.heartbeat().catch(() => undefined);
    // The database being away is retried at least every 5 s (a failed connect costs little): the consumer resumes
    // within seconds of a restart instead of sleeping out a long backoff.
    const cap = this.options.maxBackoffMs ?? 30_000;
    return Math.min(backoff * 2, isDatabaseUnavailable(error) ? Math.min(cap, 5_000) : cap);
  }

  private async applyInTransaction(
    events: readonly ConsumedEvent[],
  ): Promise<
    | { kind: 'committed'; processed: number; duplicates: number }
    | { kind: 'dead'; eventId: string; code: DeadLetterCode; reason: string; handlerCode?: string }
  > {
    if (events.length === 0) return { kind: 'committed', processed: 0, duplicates: 0 };
    const tx = await this.options.pool.connect();
    let broken = false;
    // A mark of events stored left on this pooled connection by another transaction is not this one's.
    takeEventsStored(tx);
    try {
      await tx.query('BEGIN');
      // Read the inbox first and write it last: the transaction takes its id at its first write, so the
      // handlers' appends get a transaction id no older than the streams' last writers (fewer reorder retries).
      const ids = [...new Set(events.map((e) => e.id))];
      const { rows } = await tx.query<{ event_id: string }>(
        'SELECT event_id FROM es_inbox WHERE consumer = $1 AND event_id = ANY($2::text[])',
        [this.inboxKey, ids],
      );
      const done = new Set(rows.map((r) => r.event_id));
      const taken = new Set<string>();
      const fresh = events.filter((e) => !done.has(e.id) && !taken.has(e.id) && taken.add(e.id));
      let processed = 0;
      // Commands of the chunk read each stream once and append once per stream, at the flush below.
      const session = new StreamSession({ deferAppends: true, foldCaches: this.options.foldCaches ?? [] });
      for (const event of fresh) {
        try {
          await this.runHandler(event, tx, session);
          processed += 1;
        } catch (error) {
          await tx.query('ROLLBACK');
          const verdict = this.judge(event, error);
          if (verdict === 'retry') throw error;
          return { kind: 'dead', eventId: event.id, code: verdict, ...rejection(error) };
        }
      }
      await session.flush(this.store, tx);
      if (fresh.length > 0) {
        const inserted = await tx.query(
          `INSERT INTO es_inbox (consumer, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
          [this.inboxKey, fresh.map((e) => e.id)],
        );
        // Another instance applied some of these meanwhile (a rebalance): undo ours and let the retry skip them.
        if (inserted.rowCount !== fresh.length) throw new InboxRaceError(this.inboxKey);
      }
      await tx.query('COMMIT');
      // Committed: the chunk's folds may be cached (never before: a rolled-back chunk's must not be).
      session.committed();
      // The relay and the subscriptions are woken only when the handlers stored events: a consumer that writes a
      // projection (intake's case timeline) or applies a duplicate does not send them polling for nothing.
      signalCommitted({ events: takeEventsStored(tx) });
      this.observeAge(fresh);
      for (const event of events) this.attempts.delete(event.id);
      return { kind: 'committed', processed, duplicates: events.length - processed };
    } catch (error) {
      // A connection-level failure leaves the client unusable: destroy it instead of pooling it.
      broken = isConnectionFailure(error);
      await tx.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      takeEventsStored(tx);
      tx.release(broken);
    }
  }

  private judge(event: ConsumedEvent, error: unknown): 'retry' | 'HANDLER_REJECTED' | 'RETRIES_EXHAUSTED' {
    if (error instanceof PermanentError || error instanceof DomainError) return 'HANDLER_REJECTED';
    if (isTransient(error)) return 'retry';
    const attempts = (this.attempts.get(event.id) ?? 0) + 1;
    this.attempts.set(event.id, attempts);
    if (attempts < (this.options.maxAttempts ?? 5)) return 'retry';
    this.attempts.delete(event.id);
    return 'RETRIES_EXHAUSTED';
  }

  private runHandler(event: ConsumedEvent, tx: PoolClient, session: StreamSession): Promise<void> {
    const handler = this.options.handlerFor(event.type) as InboxHandler;
    const parent = propagation.extract(ROOT_CONTEXT, {
      traceparent: event.traceparent,
      ...(event.tracestate ? { tracestate: event.tracestate } : {}),
    });
    return tracer.startActiveSpan(
      `${event.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': event.topic,
          'messaging.consumer.group.name': this.groupId,
          'messaging.message.id': event.id,
          'messaging.kafka.offset': Number(event.offset),
          'cloudevents.event_type': event.type,
        },
      },
      parent,
      async (span) => {
        const started = process.hrtime.bigint();
        try {
          await context.with(trace.setSpan(parent, span), () => handler(event, tx, session));
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
          platformMetrics.consumerHandlerDuration.observe(
            { consumer: this.groupId, type: event.type },
            Number(process.hrtime.bigint() - started) / 1e9,
            { span: span.spanContext() },
          );
        }
      },
    );
  }

  private async sendToDeadLetters(deadLetters: readonly DeadLetter[]): Promise<void> {
    const failedAt = new Date().toISOString();
    const messages: OutgoingMessage[] = deadLetters.map(({ message, code, reason, handlerCode }) => ({
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        dlq_reason: reason.slice(0, 2_000),
        dlq_error_code: code,
        ...(handlerCode ? { dlq_handler_code: handlerCode } : {}),
        dlq_consumer: this.groupId,
        dlq_source_topic: message.topic,
        dlq_source_partition: String(message.partition),
        dlq_source_offset: message.offset,
        dlq_failed_at: failedAt,
      },
    }));
    for (;;) {
      try {
        await (this.producer as MessageProducer).send(this.deadLetterTopic, messages);
        break;
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'dead-letter publish failed; retrying');
        await sleep(500);
      }
    }
    for (const { message, code, reason } of deadLetters) {
      platformMetrics.deadLettered.inc({ consumer: this.groupId, topic: message.topic, code });
      this.options.logger?.warn(
        {
          consumer: this.groupId,
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          code,
          reason,
        },
        'message dead-lettered',
      );
    }
    this.count('dead_lettered', deadLetters.length);
  }

  /** How old the applied events were at their commit: now minus the time the producer stored them (`ce_time`). */
  private observeAge(applied: readonly ConsumedEvent[]): void {
    const now = Date.now();
    for (const event of applied) {
      const storedAt = event.time ? Date.parse(event.time) : Number.NaN;
      if (Number.isNaN(storedAt)) continue;
      platformMetrics.consumerEventAge.observe(
        { consumer: this.groupId, topic: event.topic },
        Math.max(0, now - storedAt) / 1000,
        { traceparent: event.traceparent },
      );
    }
  }

  private count(outcome: string, n: number): void {
    if (n > 0)
      platformMetrics.consumed.inc({ consumer: this.groupId, topic: this.options.topics.join(','), outcome }, n);
  }

  /**
   * The group's lag as the broker sees it (committed offsets against end offsets), so it is reported while the group
   * has no member here (crashed, rebalancing) too. One reading at a time; a failed one (the broker away) is skipped.
   */
  private reportGroupLag(): Promise<void> {
    this.groupLagReading ??= this.options.messaging
      .groupLag(this.groupId, this.options.topics)
      .then((lags) => {
        for (const { topic, partition, lag } of lags) {
          platformMetrics.consumerGroupLag.set({ group: this.groupId, topic, partition: String(partition) }, lag);
        }
      })
      .catch((error: unknown) =>
        this.options.logger?.debug({ err: error, consumer: this.groupId }, 'reading the group lag failed'),
      )
      .finally(() => {
        this.groupLagReading = null;
      });
    return this.groupLagReading;
  }

  private reportLag(): void {
    for (const [key, lag] of this.consumer?.lag() ?? []) {
      const [topic, partition] = key.split(':');
      platformMetrics.consumerLagMessages.set(
        { consumer: this.groupId, topic: topic ?? '', partition: partition ?? '' },
        lag,
      );
    }
  }
}
