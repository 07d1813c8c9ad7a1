import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { TracedHistogram } from './exemplars';

/** The process's Prometheus registry, served on `/metrics`. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/**
 * Metrics shared by every service, named after what SREs look for on a dashboard. The latency histograms are
 * {@link TracedHistogram}s: an OpenMetrics scrape shows the trace of an observation per bucket (exemplars).
 */
export const platformMetrics = {
  httpRequestDuration: new TracedHistogram({
    name: 'aftersales_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  }),
  relayLagEvents: new Gauge({
    name: 'aftersales_outbox_relay_lag_events',
    help: 'Events stored but not yet published to Kafka by the outbox relay',
    labelNames: ['service'] as const,
    registers: [metricsRegistry],
  }),
  relayPublished: new Counter({
    name: 'aftersales_outbox_relay_published_total',
    help: 'Events published to Kafka by the outbox relay',
    labelNames: ['service', 'topic'] as const,
    registers: [metricsRegistry],
  }),
  relayIsLeader: new Gauge({
    name: 'aftersales_outbox_relay_leader',
    help: '1 when this instance holds the relay leadership lock',
    labelNames: ['service'] as const,
    registers: [metricsRegistry],
  }),
  consumerLagMessages: new Gauge({
    name: 'aftersales_consumer_lag_messages',
    help: 'Messages behind the partition high watermark, per consumer and partition',
    labelNames: ['consumer', 'topic', 'partition'] as const,
    registers: [metricsRegistry],
  }),
  consumed: new Counter({
    name: 'aftersales_consumer_messages_total',
    help: 'Messages handled by inbox consumers, by outcome (processed, duplicate, ignored, dead_lettered)',
    labelNames: ['consumer', 'topic', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  deadLettered: new Counter({
    name: 'aftersales_dlq_messages_total',
    help: 'Messages sent to a dead-letter topic, by reason code',
    labelNames: ['consumer', 'topic', 'code'] as const,
    registers: [metricsRegistry],
  }),
  retries: new Counter({
    name: 'aftersales_consumer_retries_total',
    help: 'Transient failures retried with backoff by inbox consumers',
    labelNames: ['consumer', 'topic'] as const,
    registers: [metricsRegistry],
  }),
  consumerHandlerDuration: new TracedHistogram({
    name: 'aftersales_consumer_handler_duration_seconds',
    help: 'Time one inbox handler took to apply one event (inside the inbox transaction), by consumer and event type',
    labelNames: ['consumer', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metricsRegistry],
  }),
  consumerEventAge: new TracedHistogram({
    name: 'aftersales_consumer_event_age_seconds',
    help: 'Age of an event when an inbox consumer applied it: commit time minus the time the producer stored it (ce_time)',
    labelNames: ['consumer', 'topic'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [metricsRegistry],
  }),
  relayAckLatency: new TracedHistogram({
    name: 'aftersales_outbox_relay_ack_latency_seconds',
    help: 'From an event being stored in the outbox (its transaction) to the broker acknowledging its publication',
    labelNames: ['service'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [metricsRegistry],
  }),
  consumerGroupLag: new Gauge({
    name: 'aftersales_consumer_group_lag_messages',
    help: 'Broker-side lag of a consumer group (admin API: end offset minus committed offset), per topic and partition',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [metricsRegistry],
  }),
  timerLateness: new TracedHistogram({
    name: 'aftersales_timer_lateness_seconds',
    help: 'How late durable timers fire: firing time minus due time, by worker and timer kind',
    labelNames: ['worker', 'kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [metricsRegistry],
  }),
  timerFailures: new Counter({
    name: 'aftersales_timer_failures_total',
    help: 'Durable timers whose firing failed, by worker, timer kind and outcome: retried (moved later with backoff) or stayed_due (fired again at the next poll)',
    labelNames: ['worker', 'kind', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  timerTransactionsRolledBack: new Counter({
    name: 'aftersales_timer_transactions_rolled_back_total',
    help: 'Timer transactions that failed as a whole (the claim, a lone timer, the batch writes, the commit): every timer they claimed stayed due',
    labelNames: ['worker'] as const,
    registers: [metricsRegistry],
  }),
  timersDeleted: new Counter({
    name: 'aftersales_timers_deleted_total',
    help: 'Finished durable timers deleted by the retention sweep (TIMER_RETENTION_DAYS, ADR 28), by state: fired or cancelled',
    labelNames: ['state'] as const,
    registers: [metricsRegistry],
  }),
  notifierDeliveries: new Counter({
    name: 'aftersales_notifier_deliveries_total',
    help: 'Webhook notification attempts (pager, escalations, carrier contacts), by receiver and outcome',
    labelNames: ['receiver', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  notifierFailures: new Counter({
    name: 'aftersales_notifier_failures_total',
    help: 'Webhook notification attempts that failed (retried) or were refused (never sent), by receiver and reason',
    labelNames: ['receiver', 'reason'] as const,
    registers: [metricsRegistry],
  }),
  dependencyUp: new Gauge({
    name: 'aftersales_dependency_up',
    help: '1 when a dependency (postgres, kafka) answered its last check, 0 when it did not',
    labelNames: ['dependency'] as const,
    registers: [metricsRegistry],
  }),
};

/** What {@link observePool} reads from a connection pool (node-postgres' `Pool` has it). */
export interface ObservablePool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { readonly max?: number };
}

const observedPools = new Map<string, ObservablePool>();

/** Postgres pool use, read from the observed pools at each scrape ({@link observePool}). */
export const poolMetrics = {
  connections: new Gauge({
    name: 'aftersales_db_pool_connections',
    help: 'Postgres connections of a pool by state: in_use, idle, max (its size)',
    labelNames: ['pool', 'state'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const [name, pool] of observedPools) {
        this.set({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'max' }, pool.options.max ?? 10);
      }
    },
  }),
  waiting: new Gauge({
    name: 'aftersales_db_pool_waiting_requests',
    help: 'Requests waiting for a Postgres connection of a pool (all of its connections in use)',
    labelNames: ['pool'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const [name, pool] of observedPools) this.set({ pool: name }, pool.waitingCount);
    },
  }),
};

/**
 * Reports a connection pool's use on `/metrics` (`aftersales_db_pool_connections`, `…_waiting_requests`) under `name`
 * (`service`, `timers`…) until the returned function is called.
 */
export function observePool(name: string, pool: ObservablePool): () => void {
  observedPools.set(name, pool);
  return () => {
    if (observedPools.get(name) === pool) observedPools.delete(name);
  };
}

/** What {@link observeFoldCache} reads from a cache of folded streams (`FoldCache` of `@aftersales/eventstore`). */
export interface ObservableFoldCache {
  /** Streams cached now. */
  readonly size: number;
  /** Streams sessions found in the cache, since it was made. */
  readonly hits: number;
  /** Streams sessions looked for and did not find, since it was made. */
  readonly misses: number;
}

const observedFoldCaches = new Map<string, { cache: ObservableFoldCache; hits: number; misses: number }>();

/** Caches of folded streams (ADR 32), read from the observed caches at each scrape ({@link observeFoldCache}). */
export const foldCacheMetrics = {
  streams: new Gauge({
    name: 'aftersales_fold_cache_streams',
    help: 'Streams whose folded state the process keeps between transactions, by cache (ADR 32)',
    labelNames: ['cache'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const [name, { cache }] of observedFoldCaches) this.set({ cache: name }, cache.size);
    },
  }),
  lookups: new Counter({
    name: 'aftersales_fold_cache_lookups_total',
    help: 'Streams a transaction looked for in a cache of folds, by cache and result (hit: read only what was stored since; miss: read whole)',
    labelNames: ['cache', 'result'] as const,
    registers: [metricsRegistry],
    collect() {
      for (const [name, seen] of observedFoldCaches) {
        const { hits, misses } = seen.cache;
        this.inc({ cache: name, result: 'hit' }, hits - seen.hits);
        this.inc({ cache: name, result: 'miss' }, misses - seen.misses);
        seen.hits = hits;
        seen.misses = misses;
      }
    },
  }),
};

/**
 * Reports a cache of folded streams on `/metrics` (`aftersales_fold_cache_streams`, `…_lookups_total`) under `name`
 * until the returned function is called.
 */
export function observeFoldCache(name: string, cache: ObservableFoldCache): () => void {
  observedFoldCaches.set(name, { cache, hits: cache.hits, misses: cache.misses });
  foldCacheMetrics.lookups.inc({ cache: name, result: 'hit' }, 0);
  foldCacheMetrics.lookups.inc({ cache: name, result: 'miss' }, 0);
  return () => {
    if (observedFoldCaches.get(name)?.cache === cache) observedFoldCaches.delete(name);
  };
}
