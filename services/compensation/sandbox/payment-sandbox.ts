/**
 * The local payment-provider sandbox: a real small HTTP server speaking the provider protocol compensation's HTTP
 * adapter uses, so the whole payout flow runs on a laptop (`npm start` runs it on port 3016).
 *
 *   POST /payouts            Idempotency-Key header; { amount, callbackUrl, metadata } → 202 { reference, status }.
 *                            The same key again answers the same payout (never a second one); another body → 422.
 *   POST /payout-batches     { callbackUrl, payouts: [{ idempotencyKey, amount, metadata }] } (1 to 1000; ADR 42) →
 *                            200 { results: [{ idempotencyKey, status, reference?, payoutStatus?, error? }] }: each
 *                            payout admitted as POST /payouts admits it under its key (status: what that would have
 *                            answered), one result per payout in the order sent.
 *   GET  /payouts/:key       the payout by key (404 unknown): reconciliation. `lookups` counts these answers of it.
 *   GET  /payouts            { payouts, paid: { count, amountMinor }, duplicates, repeats, notifications, batches } —
 *                            what moved, for tests (repeats: sends of a key it already had, each answered with that
 *                            payout; notifications: { webhooks, reports } delivered, answered 2xx); `?tenant=` counts
 *                            that tenant's payouts and repeats only, `?list=true` lists the payouts.
 *   PUT  /behaviour          { failNext, timeoutNext, holdNext, confirmDelayMs, failConfirmNext, dropConfirmations,
 *                            reportsPerWebhook, webhookWindowMs, tenant }:
 *                            how it misbehaves (refuse the next n payouts with 503, hang on the next n, make the next
 *                            n but answer them only when told — `{ release: true }` —, confirm late, report the next
 *                            n as failed, never call back); with `tenant`, only that tenant's payouts misbehave (the
 *                            payout's `metadata.tenant`): a test sharing the sandbox's service with other tenants' traffic
 *                            (contracts other suites publish on the same topics) gets its failures, and only it.
 *
 * A payout is confirmed (or failed) asynchronously: a webhook POST to its callbackUrl, signed
 * (`x-payment-signature: t=<ms>,v1=<HMAC-SHA256(secret, "<t>.<body>")>`), retried until answered 2xx. Reports settled
 * within `webhookWindowMs` (behaviour, default 5) for the same callbackUrl go out in one webhook, as providers that
 * batch their notifications send them (ADR 40): `{ reports: [report, …] }`, at most `reportsPerWebhook` (behaviour,
 * default 100; 1 sends every report alone); a lone report is sent as the report itself. With
 * `SANDBOX_DATA_FILE` every change is appended to that file (fsync'd), so a sandbox killed with SIGKILL restarts with
 * its payouts and sends the confirmations still owed.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MAX_PROVIDER_BATCH } from '../src/application/compensation.config';
import { signPayload, SIGNATURE_HEADER } from '../src/infrastructure/payment/payment-signature';

export interface SandboxPayout {
  readonly key: string;
  readonly reference: string;
  readonly amount: { readonly amountMinor: number; readonly currency: string };
  readonly callbackUrl: string;
  readonly metadata: Record<string, unknown>;
  status: 'pending' | 'confirmed' | 'failed';
  paymentChannel?: string;
  confirmedAt?: string;
  error?: string;
  notified: boolean;
  /** Times the merchant asked for it by key (reconciliation). */
  lookups?: number;
  readonly createdAt: string;
}

export interface SandboxBehaviour {
  failNext: number;
  timeoutNext: number;
  /** The next n payouts are made (and confirmed as usual) but answered only at the next `release`. */
  holdNext: number;
  confirmDelayMs: number;
  failConfirmNext: number;
  dropConfirmations: boolean;
  /** At most this many reports in one webhook (the reports settled together for the same callbackUrl). */
  reportsPerWebhook: number;
  /** How long settled reports wait for others to go out with them (0: those of the same turn of the event loop). */
  webhookWindowMs: number;
  /** Only this tenant's payouts misbehave (null: every payout). */
  tenant: string | null;
}

/** What a payout request came to ({@link startPaymentSandbox}'s `admit`): an answer, or none (`timeout`). */
type Admission =
  | 'timeout'
  | { readonly status: number; readonly body: object; readonly made?: SandboxPayout; readonly hold?: boolean };

export interface PaymentSandboxOptions {
  readonly port: number;
  readonly secret: string;
  readonly dataFile?: string;
  readonly behaviour?: Partial<SandboxBehaviour>;
}

export interface RunningSandbox {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startPaymentSandbox(options: PaymentSandboxOptions): Promise<RunningSandbox> {
  const payouts = new Map<string, SandboxPayout>();
  let creations = 0;
  /** Sends of a key it already had (answered with that payout): a retry, a reconciliation, a batch sent again. */
  let repeats = 0;
  /** Batches received (`POST /payout-batches`), each answered or not. */
  let batches = 0;
  /** Repeats per tenant (the payout's `metadata.tenant`), for `GET /payouts?tenant=`. */
  const repeatsOf = new Map<unknown, number>();
  const behaviour: SandboxBehaviour = {
    failNext: 0,
    timeoutNext: 0,
    holdNext: 0,
    confirmDelayMs: 20,
    failConfirmNext: 0,
    dropConfirmations: false,
    reportsPerWebhook: 100,
    webhookWindowMs: 5,
    tenant: null,
    ...options.behaviour,
  };
  const timers = new Set<NodeJS.Timeout>();
  /** Answers of held payouts, sent at the next `release`. */
  let held: Array<() => void> = [];
  let closed = false;
  // Webhooks over kept-alive connections, as a provider calling one merchant all day would.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  /** Appends the payouts' states to the data file in one write and one fsync. */
  const persist = (...changed: SandboxPayout[]) => {
    if (!options.dataFile || changed.length === 0) return;
    const fd = openSync(options.dataFile, 'a');
    try {
      appendFileSync(fd, changed.map((payout) => `${JSON.stringify(payout)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  if (options.dataFile && existsSync(options.dataFile))
    for (const line of readFileSync(options.dataFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const p = JSON.parse(line) as SandboxPayout;
        if (!payouts.has(p.key)) creations += 1;
        payouts.set(p.key, p);
      } catch {
        // A line torn by a kill mid-write: the payout it described was not acknowledged to anyone.
      }
    }

  const later = (fn: () => void, ms: number) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** Whether the behaviour's failures apply to a payout with this metadata. */
  const targets = (metadata: Record<string, unknown> | undefined) =>
    behaviour.tenant === null || metadata?.['tenant'] === behaviour.tenant;

  const settle = (payout: SandboxPayout) => {
    if (payout.status === 'pending') {
      if (behaviour.failConfirmNext > 0 && targets(payout.metadata)) {
        behaviour.failConfirmNext -= 1;
        payout.status = 'failed';
        payout.error = 'declined by the payment channel';
      } else {
        payout.status = 'confirmed';
        payout.paymentChannel = 'alipay';
        payout.confirmedAt = new Date().toISOString();
      }
      persist(payout);
    }
    notify(payout);
  };

  /** Reports owed, per callbackUrl, gathered for `webhookWindowMs`. */
  const owed = new Map<string, SandboxPayout[]>();
  let flushing = false;
  /** Webhooks answered 2xx, and the reports they carried. */
  const delivered = { webhooks: 0, reports: 0 };
  const notify = (payout: SandboxPayout) => {
    if (payout.notified || closed) return;
    const queue = owed.get(payout.callbackUrl);
    if (queue) queue.push(payout);
    else owed.set(payout.callbackUrl, [payout]);
    if (flushing) return;
    flushing = true;
    later(() => {
      flushing = false;
      const due = [...owed.values()];
      owed.clear();
      const size = Math.max(1, Math.floor(behaviour.reportsPerWebhook));
      for (const reports of due) for (let i = 0; i < reports.length; i += size) deliver(reports.slice(i, i + size), 1);
    }, behaviour.webhookWindowMs);
  };

  const reportOf = (payout: SandboxPayout) => ({
    payoutKey: payout.key,
    reference: payout.reference,
    status: payout.status,
    amount: payout.amount,
    paymentChannel: payout.paymentChannel ?? null,
    confirmedAt: payout.confirmedAt ?? null,
    error: payout.error ?? null,
    metadata: payout.metadata,
  });

  /** One signed webhook of these reports (all to one callbackUrl); the whole of it again, later, until answered 2xx. */
  const deliver = (reports: readonly SandboxPayout[], attempt: number) => {
    const due = reports.filter((p) => !p.notified && !(behaviour.dropConfirmations && targets(p.metadata)));
    if (due.length === 0 || closed) return;
    const body = JSON.stringify(due.length === 1 ? reportOf(due[0]!) : { reports: due.map(reportOf) });
    post(agent, due[0]!.callbackUrl, body, {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signPayload(options.secret, body, Date.now()),
    })
      .then((status) => {
        if (status < 200 || status > 299) throw new Error(`callback answered ${status}`);
        for (const payout of due) payout.notified = true;
        delivered.webhooks += 1;
        delivered.reports += due.length;
        persist(...due);
      })
      .catch(() => later(() => deliver(due, attempt + 1), Math.min(100 * 2 ** attempt, 5_000)));
  };

  for (const payout of payouts.values())
    if (payout.status === 'pending') later(() => settle(payout), behaviour.confirmDelayMs);
    else if (!payout.notified) later(() => notify(payout), 10);

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : {};
  };
  const view = ({ notified: _n, callbackUrl: _c, ...p }: SandboxPayout) => p;

  /**
   * What a payout request under `key` comes to — an answer (status and body), a payout made (to persist before
   * answering) and whether its answer is held, or no answer at all (`timeout`) — as the behaviour says.
   */
  const admit = (key: string, body: Partial<SandboxPayout>): Admission => {
    const existing = payouts.get(key);
    if (existing) {
      const same =
        existing.amount.amountMinor === body.amount?.amountMinor && existing.amount.currency === body.amount?.currency;
      if (!same) return { status: 422, body: { error: 'Idempotency-Key reused with another amount' } };
      repeats += 1;
      repeatsOf.set(existing.metadata['tenant'], (repeatsOf.get(existing.metadata['tenant']) ?? 0) + 1);
      return { status: 200, body: { reference: existing.reference, status: existing.status } };
    }
    const misbehave = targets(body.metadata);
    if (behaviour.timeoutNext > 0 && misbehave) {
      behaviour.timeoutNext -= 1;
      return 'timeout'; // never answers: the caller's timeout fires
    }
    if (behaviour.failNext > 0 && misbehave) {
      behaviour.failNext -= 1;
      return { status: 503, body: { error: 'provider unavailable' } };
    }
    const amount = body.amount;
    const valid =
      amount && Number.isInteger(amount.amountMinor) && amount.amountMinor > 0 && typeof amount.currency === 'string';
    if (!valid || typeof body.callbackUrl !== 'string')
      return { status: 400, body: { error: 'amount and callbackUrl required' } };
    const payout: SandboxPayout = {
      key,
      reference: randomUUID(),
      amount: { amountMinor: amount.amountMinor, currency: amount.currency },
      callbackUrl: body.callbackUrl,
      metadata: body.metadata ?? {},
      status: 'pending',
      notified: false,
      createdAt: new Date().toISOString(),
    };
    payouts.set(key, payout);
    creations += 1;
    later(() => settle(payout), behaviour.confirmDelayMs);
    const hold = behaviour.holdNext > 0 && misbehave;
    if (hold) behaviour.holdNext -= 1;
    return { status: 202, body: { reference: payout.reference, status: payout.status }, made: payout, hold };
  };

  const createPayout = async (req: IncomingMessage, res: ServerResponse) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return send(res, 400, { error: 'Idempotency-Key required' });
    const admission = admit(key, (await readBody(req)) as Partial<SandboxPayout>);
    if (admission === 'timeout') return undefined;
    if (admission.made) persist(admission.made);
    if (admission.hold) {
      held.push(() => send(res, admission.status, admission.body));
      return undefined;
    }
    return send(res, admission.status, admission.body);
  };

  /**
   * `POST /payout-batches` (ADR 42): `{ callbackUrl, payouts: [{ idempotencyKey, amount, metadata }] }`, 1 to
   * {@link MAX_PROVIDER_BATCH} payouts, each admitted as `POST /payouts` would admit it under its key; answered 200
   * `{ results: [{ idempotencyKey, status, reference?, payoutStatus?, error? }] }`, one per payout in the order sent,
   * after the payouts made are persisted in one fsync. A payout the behaviour times out leaves the whole batch
   * unanswered (the others are made: the caller learns of them when it sends them again); one it holds holds the
   * batch's answer.
   */
  const createPayoutBatch = async (req: IncomingMessage, res: ServerResponse) => {
    const body = (await readBody(req)) as { callbackUrl?: unknown; payouts?: unknown };
    const items = body.payouts;
    if (
      typeof body.callbackUrl !== 'string' ||
      !Array.isArray(items) ||
      items.length === 0 ||
      items.length > MAX_PROVIDER_BATCH
    )
      return send(res, 400, { error: `callbackUrl and 1 to ${MAX_PROVIDER_BATCH} payouts required` });
    const callbackUrl = body.callbackUrl;
    const results: object[] = [];
    const made: SandboxPayout[] = [];
    let timedOut = false;
    let hold = false;
    for (const item of items as Array<Partial<SandboxPayout> & { idempotencyKey?: unknown }>) {
      const key = item?.idempotencyKey;
      if (typeof key !== 'string' || !key) {
        results.push({ idempotencyKey: key ?? null, status: 400, error: 'idempotencyKey required' });
        continue;
      }
      const admission = admit(key, { amount: item.amount, metadata: item.metadata, callbackUrl });
      if (admission === 'timeout') {
        timedOut = true;
        continue;
      }
      if (admission.made) made.push(admission.made);
      hold ||= admission.hold === true;
      const { status: payoutStatus, ...answer } = admission.body as { status?: string };
      results.push({ idempotencyKey: key, status: admission.status, ...answer, payoutStatus });
    }
    persist(...made);
    batches += 1;
    if (timedOut) return undefined;
    if (hold) {
      held.push(() => send(res, 200, { results }));
      return undefined;
    }
    return send(res, 200, { results });
  };

  const summary = (url: URL, res: ServerResponse) => {
    // `?tenant=`: that tenant's payouts and repeats only (a suite sharing the sandbox with other tenants' traffic).
    const tenant = url.searchParams.get('tenant');
    const all = [...payouts.values()].filter((p) => tenant === null || p.metadata['tenant'] === tenant);
    const paid = all.filter((p) => p.status === 'confirmed');
    return send(res, 200, {
      count: all.length,
      paid: { count: paid.length, amountMinor: paid.reduce((sum, p) => sum + p.amount.amountMinor, 0) },
      // A key is one payout by construction; `creations` counts every payout ever made, so a second one would show.
      duplicates: creations - payouts.size,
      repeats: tenant === null ? repeats : (repeatsOf.get(tenant) ?? 0),
      notifications: delivered,
      batches,
      payouts: url.searchParams.get('list') === 'true' ? all.map(view) : undefined,
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (req.method === 'POST' && url.pathname === '/payouts') return createPayout(req, res);
    if (req.method === 'POST' && url.pathname === '/payout-batches') return createPayoutBatch(req, res);
    if (req.method === 'GET' && url.pathname.startsWith('/payouts/')) {
      const payout = payouts.get(decodeURIComponent(url.pathname.slice('/payouts/'.length)));
      if (!payout) return send(res, 404, { error: 'unknown payout' });
      payout.lookups = (payout.lookups ?? 0) + 1;
      return send(res, 200, view(payout));
    }
    if (req.method === 'GET' && url.pathname === '/payouts') return summary(url, res);
    if (req.method === 'PUT' && url.pathname === '/behaviour') {
      const { release, ...change } = (await readBody(req)) as Partial<SandboxBehaviour> & { release?: boolean };
      Object.assign(behaviour, change);
      if (release) {
        const answers = held;
        held = [];
        for (const answer of answers) answer();
      }
      return send(res, 200, behaviour);
    }
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'up' });
    return send(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => send(res, 400, { error: (error as Error).message }));
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** POSTs `body` (5 s at most); resolves with the answer's status once it is read. */
function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(5_000),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the connection closed before the whole answer arrived'));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
