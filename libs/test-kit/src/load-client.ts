import { Agent, request } from 'node:http';

/** What a {@link LoadClient} request answered. */
export interface LoadAnswer {
  readonly status: number;
  /** The body, when asked for (`keepBody`); otherwise empty (it is drained unread). */
  readonly text: string;
}

/**
 * The HTTP client of load generators (benchmarks, the fault runner): node:http with keep-alive connections. It costs
 * about half the CPU of `fetch` (undici) per request on a 2-core VM, CPU the services under test would otherwise lose.
 *
 * @example
 * ```ts
 * const client = new LoadClient({ maxSockets: 256, timeoutMs: 30_000 });
 * const { status } = await client.post(`${intake}/complaints`, token, complaint);
 * ```
 */
export class LoadClient {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(options: { maxSockets?: number; timeoutMs?: number } = {}) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 128 });
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** POSTs `body` as JSON with the bearer token; a request without an answer in time fails with code `TIMEOUT`. */
  post(url: string, token: string, body: unknown, options: { keepBody?: boolean } = {}): Promise<LoadAnswer> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          let text = '';
          if (options.keepBody) {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
          } else {
            res.resume();
          }
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes the kept connections. */
  close(): void {
    this.agent.destroy();
  }
}
