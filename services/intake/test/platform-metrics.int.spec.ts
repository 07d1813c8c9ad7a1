import { randomBytes, randomUUID } from 'node:crypto';
import { SatisfactionMeasuredV1 } from '@aftersales/contracts';
import { uniqueName } from '@aftersales/testing';
import {
  ContractPublisher,
  eventually,
  freshSample,
  metricValue,
  startTestService,
  WebhookReceiver,
  type TestService,
} from '@aftersales/test-kit';
import type { SlaNotice } from '../src/application/sla-notifications';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';

/** Every sample of `name` in a Prometheus text, with its labels. */
function samples(metrics: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const found: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of metrics.split('\n')) {
    const match = /^([^{\s]+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

/** A Shanghai wall-clock time (UTC+8, no daylight saving). */
const sh = (local: string) => new Date(`${local}+08:00`);
const topic = SatisfactionMeasuredV1.topic;

// CONTEXT: intake in-process on real Postgres and Kafka, its clock the test's (moved by hand), an escalation webhook
// on a local receiver that fails its first call, and an upstream service's event published to Kafka: then /metrics
// must carry the platform's metrics of all of it (relay, consumer, timers, notifier, pools, broker-side lag,
// dependencies), with values that follow from what happened.
describe('the platform metrics on /metrics after real activity', () => {
  const tenant = uniqueName('shop');
  let now = sh('2026-11-26T10:00');
  let intake: TestService;
  let hooks: WebhookReceiver<SlaNotice>;
  let upstream: ContractPublisher;
  let metrics: string;
  let group: string;

  beforeAll(async () => {
    hooks = await WebhookReceiver.start<SlaNotice>();
    upstream = await ContractPublisher.connect();
    intake = await startTestService(
      { ...intakeService, clock: () => new Date(now) },
      {
        env: {
          PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
          INTAKE_NOTIFIER_WEBHOOK_URL: hooks.url('/operator'),
          INTAKE_NOTIFIER_ALLOWED_HOSTS: '127.0.0.1',
          INTAKE_TIMER_POLL_MS: '50',
          INTAKE_TIMER_CONCURRENCY: '1',
        },
        config: { consumerGroupLagIntervalMs: 200, databasePoolSize: 6 },
      },
    );
    group = intake.groupOf('case-timeline');
    const manager = await intake.token({ subject: 'manager-1', tenant, roles: ['cs-manager'] });
    const calendar = {
      timeZone: 'Asia/Shanghai',
      workingDays: [1, 2, 3, 4, 5],
      shifts: [
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '18:00' },
      ],
      holidays: [],
    };
    const put = await intake.call('PUT', '/sla-policies', {
      caller: { token: manager },
      body: { ...defaultSlaPolicy, calendar },
    });
    expect(put.status).toBe(200);

    // A chat case at 10:00: its first response is due within 15 s (warned at 12 s).
    const agent = await intake.token({ subject: 'agent-1', tenant, roles: ['agent'] });
    const opened = await intake.call<{ caseId: string }>('POST', '/cases', {
      caller: { token: agent },
      body: {
        channel: 'chat',
        orderId: 'ORD-1',
        customerId: `cus-${randomUUID().slice(0, 8)}`,
        problemType: 'non-quality',
        description: 'The jacket is too small',
      },
    });
    expect(opened.status).toBe(201);
    const { caseId } = opened.body;

    // Another service's event naming the case, for the case-timeline consumer.
    await upstream.publish(SatisfactionMeasuredV1, {
      ...freshSample(SatisfactionMeasuredV1, tenant),
      caseIds: [caseId],
    });

    // 10:00:16, nobody answered: the warning (due 10:00:12) and the breach (due 10:00:15) fire, late by 4 s and 1 s of
    // the service's clock; the first webhook call is answered 503.
    hooks.failNext(1, '/operator', 503);
    now = sh('2026-11-26T10:00:16');

    metrics = await eventually(
      async () => {
        const text = await (await fetch(`${intake.url}/metrics`)).text();
        const done =
          metricValue(text, 'aftersales_timer_lateness_seconds_count', { worker: 'SLA timers', kind: 'sla-breach' }) >=
            1 &&
          metricValue(text, 'aftersales_notifier_failures_total', { receiver: 'escalation', reason: 'http_5xx' }) >=
            1 &&
          metricValue(text, 'aftersales_consumer_event_age_seconds_count', { consumer: group, topic }) >= 1 &&
          samples(text, 'aftersales_consumer_group_lag_messages').some((s) => s.labels.group === group);
        return done ? text : undefined;
      },
      'the timers, the failed webhook call, the consumed event and the group lag on /metrics',
      60_000,
    );
  });

  afterAll(async () => {
    await upstream?.close();
    await intake?.close();
    await hooks?.stop();
  });

  it('times the relay from an event stored to its acknowledgement by the broker', () => {
    const count = metricValue(metrics, 'aftersales_outbox_relay_ack_latency_seconds_count', { service: 'intake' });
    const sum = metricValue(metrics, 'aftersales_outbox_relay_ack_latency_seconds_sum', { service: 'intake' });
    expect(count).toBeGreaterThanOrEqual(1);
    expect(sum / count).toBeGreaterThanOrEqual(0);
    expect(sum / count).toBeLessThan(60);
  });

  it("times the consumer's handler and the event's age at consumption", () => {
    const handler = { consumer: group, type: SatisfactionMeasuredV1.type };
    // At least the event published here (the topic is shared with other tests' services: maybe more).
    const count = metricValue(metrics, 'aftersales_consumer_handler_duration_seconds_count', handler);
    expect(count).toBeGreaterThanOrEqual(1);
    const duration = metricValue(metrics, 'aftersales_consumer_handler_duration_seconds_sum', handler) / count;
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThan(10);
    const age = { consumer: group, topic };
    const consumed = metricValue(metrics, 'aftersales_consumer_event_age_seconds_count', age);
    expect(consumed).toBeGreaterThanOrEqual(1);
    const seconds = metricValue(metrics, 'aftersales_consumer_event_age_seconds_sum', age) / consumed;
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(60);
  });

  it('measures how late durable timers fire on the service clock', () => {
    const breach = { worker: 'SLA timers', kind: 'sla-breach' };
    expect(metricValue(metrics, 'aftersales_timer_lateness_seconds_count', breach)).toBe(1);
    expect(metricValue(metrics, 'aftersales_timer_lateness_seconds_sum', breach)).toBeCloseTo(1, 3);
    const warning = { worker: 'SLA timers', kind: 'sla-warning' };
    expect(metricValue(metrics, 'aftersales_timer_lateness_seconds_count', warning)).toBe(1);
    expect(metricValue(metrics, 'aftersales_timer_lateness_seconds_sum', warning)).toBeCloseTo(4, 3);
  });

  it('counts webhook deliveries and failures by receiver', () => {
    expect(
      metricValue(metrics, 'aftersales_notifier_failures_total', { receiver: 'escalation', reason: 'http_5xx' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'aftersales_notifier_deliveries_total', { receiver: 'escalation', outcome: 'failed' }),
    ).toBe(1);
  });

  it('reports the Postgres pools: the service pool and the timers’ own', () => {
    expect(metricValue(metrics, 'aftersales_db_pool_connections', { pool: 'service', state: 'max' })).toBe(6);
    const inUse = metricValue(metrics, 'aftersales_db_pool_connections', { pool: 'service', state: 'in_use' });
    const idle = metricValue(metrics, 'aftersales_db_pool_connections', { pool: 'service', state: 'idle' });
    expect(inUse).toBeGreaterThanOrEqual(0);
    expect(inUse + idle).toBeGreaterThan(0);
    expect(inUse + idle).toBeLessThanOrEqual(6);
    expect(metricValue(metrics, 'aftersales_db_pool_connections', { pool: 'SLA timers', state: 'max' })).toBe(1);
    expect(samples(metrics, 'aftersales_db_pool_waiting_requests').map((s) => s.labels.pool)).toContain('service');
  });

  it("reports the consumer group's lag as the broker sees it, per partition it committed on", () => {
    const lags = samples(metrics, 'aftersales_consumer_group_lag_messages').filter((s) => s.labels.group === group);
    expect(lags.map((s) => s.labels.topic)).toContain(topic);
    for (const { value } of lags) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
  });

  it('reports each dependency as up', () => {
    expect(metricValue(metrics, 'aftersales_dependency_up', { dependency: 'postgres' })).toBe(1);
    expect(metricValue(metrics, 'aftersales_dependency_up', { dependency: 'kafka' })).toBe(1);
  });
});
