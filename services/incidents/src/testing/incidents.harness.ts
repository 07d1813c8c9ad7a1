import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { ComplaintRegisteredV1, SatisfactionMeasuredV1, Topics } from '@aftersales/contracts';
import type { PageRequest } from '../application/pager.port';

/**
 * Test support for the incidents service's integration tests: a pager webhook receiver, a Kafka producer of intake's
 * and surveys' events with CloudEvents headers, and small polling helpers. Tests only.
 */

/** One request the pager receiver got. */
export interface ReceivedPage {
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly body: PageRequest;
  /** What the receiver answered. */
  readonly status: number;
  /** When it arrived (real time, ms). */
  readonly receivedAt: number;
}

/** A pager webhook on a free local port: records every page, and fails the next N requests of a path on demand. */
export class PagerReceiver {
  readonly pages: ReceivedPage[] = [];
  private readonly failures = new Map<string, number>();
  private server: Server | null = null;
  private base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.receive(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** The next `count` requests to `path` are answered 500. */
  failNext(path: string, count: number): void {
    this.failures.set(path, count);
  }

  /** Pages received on `path` (answered 2xx or not). */
  on(path: string): ReceivedPage[] {
    return this.pages.filter((p) => p.path === path);
  }

  /** Pages delivered (answered 2xx) on `path`. */
  deliveredOn(path: string): ReceivedPage[] {
    return this.on(path).filter((p) => p.status < 300);
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const path = req.url ?? '/';
    const failing = this.failures.get(path) ?? 0;
    const status = failing > 0 ? 500 : 202;
    if (failing > 0) this.failures.set(path, failing - 1);
    const key = req.headers['idempotency-key'];
    this.pages.push({
      path,
      idempotencyKey: Array.isArray(key) ? key[0] : key,
      body: JSON.parse(raw || '{}') as PageRequest,
      status,
      receivedAt: Date.now(),
    });
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  }
}

/** Publishes intake's and surveys' events the way their outbox relays do (CloudEvents binary mode). */
export class UpstreamProducer {
  private producer: Producer | null = null;

  constructor(private readonly brokers: string[]) {}

  async start(): Promise<void> {
    this.producer = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
  }

  /** Publishes complaints to `aftersales.intake.events`; returns the CloudEvent ids. */
  async complaints(tenant: string, complaints: ReadonlyArray<ComplaintRegisteredV1>): Promise<string[]> {
    const ids = complaints.map(() => randomUUID());
    await this.send(
      Topics.intake,
      complaints.map((c, i) => ({
        key: c.complaintId,
        value: JSON.stringify(c),
        headers: cloudEvent(ids[i] as string, ComplaintRegisteredV1.type, '/aftersales/intake', c.complaintId, tenant),
      })),
    );
    return ids;
  }

  /** Publishes a raw message (e.g. a malformed one) to `aftersales.intake.events`. */
  async raw(tenant: string, key: string, value: string, ceType: string = ComplaintRegisteredV1.type): Promise<string> {
    const id = randomUUID();
    await this.send(Topics.intake, [
      { key, value, headers: cloudEvent(id, ceType, '/aftersales/intake', key, tenant) },
    ]);
    return id;
  }

  /** Publishes a satisfaction measurement to `aftersales.surveys.events`. */
  async satisfaction(tenant: string, measured: SatisfactionMeasuredV1): Promise<string> {
    const id = randomUUID();
    const headers = cloudEvent(id, SatisfactionMeasuredV1.type, '/aftersales/surveys', measured.incidentId, tenant);
    await this.send(Topics.surveys, [{ key: measured.incidentId, value: JSON.stringify(measured), headers }]);
    return id;
  }

  private async send(
    topic: string,
    messages: Array<{ key: string; value: string; headers: Record<string, string> }>,
  ): Promise<void> {
    if (!this.producer) throw new Error('UpstreamProducer not started');
    await this.producer.send({ topic, messages });
  }
}

function cloudEvent(id: string, type: string, source: string, subject: string, tenant: string) {
  return {
    ce_specversion: '1.0',
    ce_id: id,
    ce_type: type,
    ce_source: source,
    ce_time: new Date().toISOString(),
    ce_subject: subject,
    'content-type': 'application/json',
    tenant,
    correlation_id: randomUUID(),
  };
}

/** A complaint as intake publishes it, with defaults: a product-quality complaint about battery batch B-7. */
export function aComplaint(
  tenant: string,
  registeredAt: Date,
  overrides: Partial<ComplaintRegisteredV1> = {},
): ComplaintRegisteredV1 {
  return {
    complaintId: randomUUID(),
    tenantId: tenant,
    customerId: `cus-${randomUUID().slice(0, 8)}`,
    orderId: `ORD-${randomUUID().slice(0, 6)}`,
    productSku: 'PB-20000',
    batch: 'B-7',
    category: 'product-quality',
    description: 'The power bank swelled while charging',
    evidenceRefs: [],
    flags: { personalInjury: false, propertyLoss: false, mediaExposure: false, legalThreat: false },
    registeredAt: registeredAt.toISOString(),
    ...overrides,
  };
}

/** Polls `probe` until it returns a value (not `undefined`), or fails after `timeoutMs` naming `what`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A free local TCP port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The value of one Prometheus sample (`name{labels}`) in a `/metrics` text; 0 when absent. */
export function metricValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([^{\s]+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => present.includes(w)) && present.length === wanted.length) return Number(match[3]);
  }
  return 0;
}
