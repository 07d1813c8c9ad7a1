import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link WebhookReceiver} got, and what it answered. */
export interface ReceivedWebhook<Body = Record<string, unknown>> {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `Idempotency-Key`, when sent. */
  readonly idempotencyKey: string | undefined;
  readonly body: Body;
  /** The status the receiver answered. */
  readonly status: number;
  /** When it arrived (`Date.now()`). */
  readonly receivedAt: number;
}

/** Failures still to answer, and which requests they are for. */
interface Failures<Body> {
  count: number;
  readonly status: number;
  readonly only?: (body: Body) => boolean;
}

/**
 * A webhook endpoint on a free local port (pagers, notifiers, payment providers): records every request, and answers
 * failures on demand (`failNext`) to prove deliveries are retried with backoff and deduplicated by `Idempotency-Key`.
 *
 * @example
 * ```ts
 * const hooks = await WebhookReceiver.start();
 * hooks.failNext(2, '/pager');
 * … await eventually(() => hooks.deliveredOn('/pager')[0], 'the page');
 * await hooks.stop();
 * ```
 */
export class WebhookReceiver<Body = Record<string, unknown>> {
  readonly received: Array<ReceivedWebhook<Body>> = [];
  private readonly failures = new Map<string, Failures<Body>>();
  private anyPathFailures: Failures<Body> = { count: 0, status: 503 };

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>` */
    readonly baseUrl: string,
  ) {}

  static async start<Body = Record<string, unknown>>(): Promise<WebhookReceiver<Body>> {
    const holder: { receiver?: WebhookReceiver<Body> } = {};
    const server = createServer((req, res) => void holder.receiver?.receive(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.receiver = new WebhookReceiver<Body>(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.receiver;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The URL of `path` on this receiver. */
  url(path = '/'): string {
    return `${this.baseUrl}${path}`;
  }

  /**
   * The next `count` requests (to `path`, or to any path) are answered `status` (default 500 for a path, 503 else);
   * with `only`, the next `count` requests whose body it accepts (a test sharing the receiver with other tests' late
   * deliveries fails its own requests, not theirs).
   */
  failNext(count: number, path?: string, status?: number, only?: (body: Body) => boolean): void {
    if (path === undefined) this.anyPathFailures = { count, status: status ?? 503, only };
    else this.failures.set(path, { count, status: status ?? 500, only });
  }

  /** Requests received on `path` (answered 2xx or not). */
  on(path: string): Array<ReceivedWebhook<Body>> {
    return this.received.filter((r) => r.path === path);
  }

  /** Requests on `path` (all paths when omitted) answered 2xx, one per `Idempotency-Key` (the first). */
  deliveredOn(path?: string): Array<ReceivedWebhook<Body>> {
    const seen = new Set<string>();
    return this.received.filter((r) => {
      if (r.status >= 300 || (path !== undefined && r.path !== path)) return false;
      const key = r.idempotencyKey ?? `${r.receivedAt}:${seen.size}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const path = req.url ?? '/';
    const key = req.headers['idempotency-key'];
    let body: Body;
    try {
      body = JSON.parse(raw || '{}') as Body;
    } catch {
      body = { raw } as Body;
    }
    const applies = (f: Failures<Body> | undefined): f is Failures<Body> =>
      !!f && f.count > 0 && (f.only === undefined || f.only(body));
    const failing = this.failures.get(path);
    let status = 202;
    if (applies(failing)) {
      failing.count -= 1;
      status = failing.status;
    } else if (applies(this.anyPathFailures)) {
      this.anyPathFailures.count -= 1;
      status = this.anyPathFailures.status;
    }
    this.received.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      idempotencyKey: Array.isArray(key) ? key[0] : key,
      body,
      status,
      receivedAt: Date.now(),
    });
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  }
}
