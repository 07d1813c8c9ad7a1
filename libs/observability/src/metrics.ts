import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry, served on `/metrics`. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/** Metrics shared by every service, named after what SREs look for on a dashboard. */
export const platformMetrics = {
  httpRequestDuration: new Histogram({
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
};
