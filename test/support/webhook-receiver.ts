import { createServer, type Server } from 'node:http';

/** A request the receiver got. */
export interface ReceivedHook {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
  readonly status: number;
}

/**
 * A pager endpoint for tests: records every delivery; `failNext(n)` answers 503 to the next n requests,
 * to prove deliveries are retried and deduplicated by `Idempotency-Key`.
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  private failures = 0;
  private server: Server | null = null;
  url = '';

  failNext(n: number): void {
    this.failures = n;
  }

  /** Deliveries that were answered 2xx, one per Idempotency-Key. */
  delivered(): ReceivedHook[] {
    const seen = new Set<string>();
    return this.received.filter((r) => {
      const key = String(r.headers['idempotency-key']);
      if (r.status >= 300 || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        const status = this.failures > 0 ? 503 : 200;
        if (this.failures > 0) this.failures -= 1;
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          body = { raw };
        }
        this.received.push({ headers: req.headers, body, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/pages`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
