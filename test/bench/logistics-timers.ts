/**
 * A million active shipments, each with its tracking timer (issue 11: "1,000,000 active shipments with timers: timer
 * lateness p99 ≤ 1 s"). Seeding a million shipments through the API takes hours on a small machine, so the bench
 * registers a template of real shipments through the running service (`POST /shipments`, each picked up by a signed
 * `POST /carrier-events` scan), stops it, and clones the template in SQL (`INSERT … SELECT … FROM generate_series`)
 * with fresh ids everywhere they appear: each shipment's events (stream id, event ids — a scan's derived from its
 * carrier event id as the service derives them —, the shipment id, tracking number, correlation ids and instants in
 * data and metadata, the stream's hash chain recomputed), its `es_streams` row, its shipments list row, its timers
 * (`tracking:<shipment>`, the notices, with their payloads) and its notice deliveries; every instant of a
 * clone is the template's, moved to the clone's pickup. The relay's checkpoint is moved past the clones (a running
 * service would have published them long ago), the tables are analyzed, and the service is started again (real
 * process, its `main.ts`) to fire them.
 *
 * Most clones were picked up within the last hour (their stalled timers lie 47–48 h ahead); a slice was picked up 48 h
 * before a point of a window that opens after seeding (spread evenly over it), so their timers fall due during the
 * window and each appends a `ShipmentStalled`. Lateness of a timer = its `ShipmentStalled`'s `recorded_at` − the instant
 * the stall fell due (the last scan + 48 h).
 *
 *   npm run bench:logistics-timers                       # 1,000,000 active shipments, 20,000 due over 60 s
 *   BENCH_SCALE=0.02 npm run bench:logistics-timers      # 20,000 active, 400 due over 10 s (a smoke run)
 *   BENCH_KEEP_DATABASE=1 npm run bench:logistics-timers # keep the database afterwards (EXPLAIN at scale), print its name
 *
 * Other knobs: BENCH_DUE and BENCH_WINDOW_S (timers due in the window and its length, apart from the scale: the same
 * burst over fewer active shipments), BENCH_TEMPLATE (template shipments, 1,000), BENCH_WINDOW_LEAD_S (from the end of
 * seeding to the window, 60: the service's restart must fit in it), BENCH_CHUNK (clones per seeding transaction).
 */
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { deterministicUuid } from '@aftersales/eventstore';
import { signDevToken } from '@aftersales/platform-http';
import { freePort, ServiceProcess } from '@aftersales/test-kit';
import { apiCaller, BROKERS, percentile, postCarrierEvents, SCALE, SERVER_URL } from './support';

const ACTIVE = Math.max(2_000, Math.round(1_000_000 * SCALE));
const DUE_IN_WINDOW = Number(process.env.BENCH_DUE ?? Math.max(100, Math.round(20_000 * SCALE)));
const SECONDS = Number(process.env.BENCH_WINDOW_S ?? Math.max(10, Math.round(60 * SCALE)));
const TEMPLATE = Math.min(Number(process.env.BENCH_TEMPLATE ?? 1_000), ACTIVE - DUE_IN_WINDOW);
const LEAD_MS = Number(process.env.BENCH_WINDOW_LEAD_S ?? 60) * 1000;
const CHUNK = Number(process.env.BENCH_CHUNK ?? 10_000);
const KEEP = process.env.BENCH_KEEP_DATABASE === '1';
const TARGET_P99_MS = 1_000;
const SECRET = 'bench-secret-bench-secret-bench-secret';
const CARRIER = 'SF Express';
const CARRIER_SECRET = 'bench-carrier-secret-bench-carrier-secret';
const HOUR = 3_600_000;
/** Destination regions of the template (31 provinces): regional alarms count stalled shipments per region. */
const REGIONS = 31;
/** Placeholder slots per template shipment: distinct instants, and ids other than the shipment's and its events'. */
const SLOTS = 4;

const log = (m: string) => console.log(`[logistics-timers ${new Date().toISOString().slice(11, 19)}] ${m}`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

async function connect(database: string): Promise<Client> {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  return c;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ------------------------------------------------------------------------------------------------ template → patterns

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

/**
 * One template shipment's rows turned into patterns: every id and instant that belongs to the shipment replaced by a
 * placeholder — `{{sid}}` (shipment id), `{{trk}}` (tracking number), `{{e<v>}}` (the id of its event of version v),
 * `{{t<k>}}` (an instant, kept as its offset from the pickup), `{{f<k>}}` (any other id: correlation ids) — so a clone
 * is the pattern filled with its own values. Anything id- or instant-like left over would be shared by the clones:
 * the bench refuses to run rather than seed that.
 */
class Pattern {
  readonly instants: number[] = [];
  private readonly instantSlots = new Map<string, number>();
  private readonly freshSlots = new Map<string, number>();
  private readonly regex: RegExp;

  constructor(
    readonly shipmentId: string,
    readonly trackingNumber: string,
    readonly pickupMs: number,
    private readonly eventVersions: ReadonlyMap<string, number>,
  ) {
    this.regex = new RegExp(`${UUID}|${ISO}|${trackingNumber}`, 'g');
  }

  of(text: string): string {
    return text.replace(this.regex, (m) => {
      if (m === this.shipmentId) return '{{sid}}';
      if (m === this.trackingNumber) return '{{trk}}';
      const version = this.eventVersions.get(m);
      if (version !== undefined) return `{{e${version}}}`;
      if (/^\d{4}-/.test(m)) {
        if (new Date(m).toISOString() !== m) throw new Error(`instant ${m} does not round-trip`);
        let slot = this.instantSlots.get(m);
        if (slot === undefined) {
          slot = this.instantSlots.size;
          if (slot >= SLOTS) throw new Error(`more than ${SLOTS} distinct instants in shipment ${this.shipmentId}`);
          this.instantSlots.set(m, slot);
          this.instants.push(Date.parse(m) - this.pickupMs);
        }
        return `{{t${slot}}}`;
      }
      let slot = this.freshSlots.get(m);
      if (slot === undefined) {
        slot = this.freshSlots.size;
        if (slot >= SLOTS) throw new Error(`more than ${SLOTS} foreign ids in shipment ${this.shipmentId}`);
        this.freshSlots.set(m, slot);
      }
      return `{{f${slot}}}`;
    });
  }

  /** Offset of a stored instant from the pickup, in ms (null stays null). */
  offset(at: Date | null): number | null {
    return at === null ? null : at.getTime() - this.pickupMs;
  }
}

interface TemplateEvent {
  stream_id: string;
  stream_version: string;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: Date;
}

/**
 * Reads the template's rows and writes their patterns into temporary tables of `c` (its session): `bench_tmpl_ship`,
 * `bench_tmpl_events`, `bench_tmpl_timers`, `bench_tmpl_deliveries`. Returns the number of events per shipment.
 */
async function writePatterns(
  c: Client,
  tenant: string,
  template: ReadonlyArray<{ shipmentId: string; trackingNumber: string; pickupMs: number }>,
): Promise<number> {
  const { rows: events } = await c.query<TemplateEvent>(
    `SELECT stream_id, stream_version, event_id, type, data::text AS data, metadata::text AS metadata, recorded_at
       FROM es_events ORDER BY stream_id, stream_version`,
  );
  const { rows: timers } = await c.query<{
    timer_id: string;
    tenant: string;
    kind: string;
    due_at: Date;
    payload: string;
    metadata: string;
    fired_at: Date | null;
    cancelled_at: Date | null;
    created_at: Date;
  }>(
    'SELECT timer_id, tenant, kind, due_at, payload::text AS payload, metadata::text AS metadata, fired_at, cancelled_at, created_at FROM es_timers',
  );
  const { rows: listRows } = await c.query<Record<string, unknown> & { shipment_id: string; registered_at: Date }>(
    'SELECT * FROM shipments_index',
  );
  const { rows: deliveries } = await c.query<{
    idempotency_key: string;
    tenant: string;
    kind: string;
    subject: string;
    outcome: string;
    target: string;
    status_code: number | null;
    attempts: number;
    recorded_at: Date;
    refused: string | null;
  }>(
    'SELECT idempotency_key, tenant, kind, subject::text AS subject, outcome, target, status_code, attempts, recorded_at, refused FROM notification_deliveries',
  );
  const { rows: others } = await c.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM es_events WHERE stream_id NOT LIKE 'shipment-%')
          + (SELECT count(*) FROM regional_signals) + (SELECT count(*) FROM es_inbox) AS n`,
  );
  if (Number(others[0]?.n) !== 0) throw new Error('the template left rows the cloner does not know (alarms, inbox)');

  const byStream = new Map<string, TemplateEvent[]>();
  for (const e of events) byStream.set(e.stream_id, [...(byStream.get(e.stream_id) ?? []), e]);
  let eventsPerShipment = -1;
  const ship: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
  const ev: unknown[][] = [[], [], [], [], [], [], [], []];
  const tm: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
  const dl: unknown[][] = [[], [], [], [], [], [], [], [], [], [], []];
  const listOf = new Map(listRows.map((r) => [r.shipment_id, r]));
  template.forEach(({ shipmentId, trackingNumber, pickupMs }, j) => {
    const stream = byStream.get(`shipment-${shipmentId}`) ?? [];
    if (eventsPerShipment === -1) eventsPerShipment = stream.length;
    if (stream.length !== eventsPerShipment || stream.length === 0)
      throw new Error(`template shipment ${shipmentId} has ${stream.length} events, not ${eventsPerShipment}`);
    const versions = new Map(stream.map((e) => [e.event_id, Number(e.stream_version)]));
    const p = new Pattern(shipmentId, trackingNumber, pickupMs, versions);
    for (const e of stream) {
      // A scan's events have ids derived from the carrier's event id (the scan's idempotency key); others are random.
      const scanKey = `scan:${tenant}:${CARRIER}:${trackingNumber}-pickup`;
      const k = Array.from({ length: 16 }, (_, i) => i).find(
        (i) => deterministicUuid(`${scanKey}#${i}`) === e.event_id,
      );
      ev[0]!.push(j);
      ev[1]!.push(Number(e.stream_version));
      ev[2]!.push(e.type);
      ev[3]!.push(p.of(e.data));
      ev[4]!.push(p.of(e.metadata));
      ev[5]!.push(p.offset(e.recorded_at));
      ev[6]!.push(k === undefined ? null : `scan:${tenant}:${CARRIER}:{{trk}}-pickup#${k}`);
      ev[7]!.push(e.event_id);
    }
    const own = (text: string) => text.includes(shipmentId) || stream.some((e) => text.includes(e.event_id));
    for (const t of timers.filter((t) => own(t.timer_id) || own(t.payload))) {
      tm[0]!.push(j);
      tm[1]!.push(p.of(t.timer_id));
      tm[2]!.push(t.tenant);
      tm[3]!.push(t.kind);
      tm[4]!.push(p.offset(t.due_at));
      tm[5]!.push(p.of(t.payload));
      tm[6]!.push(p.of(t.metadata));
      tm[7]!.push(p.offset(t.fired_at));
      tm[8]!.push(p.offset(t.cancelled_at));
      tm[9]!.push(p.offset(t.created_at));
    }
    for (const d of deliveries.filter((d) => own(d.idempotency_key) || own(d.subject))) {
      dl[0]!.push(j);
      dl[1]!.push(p.of(d.idempotency_key));
      dl[2]!.push(d.tenant);
      dl[3]!.push(d.kind);
      dl[4]!.push(p.of(d.subject));
      dl[5]!.push(d.outcome);
      dl[6]!.push(d.target);
      dl[7]!.push(d.status_code);
      dl[8]!.push(d.attempts);
      dl[9]!.push(p.offset(d.recorded_at));
      dl[10]!.push(d.refused);
    }
    const row = listOf.get(shipmentId);
    if (!row || row.case_id !== null || row.return_id !== null || row.tracking_number !== trackingNumber)
      throw new Error(`template shipment ${shipmentId}: unexpected list row`);
    const instants = [...p.instants, ...Array.from({ length: SLOTS - p.instants.length }, () => 0)];
    ship[0]!.push(j);
    ship[1]!.push(row.tenant);
    ship[2]!.push(p.of(String(row.order_id)));
    ship[3]!.push(row.purpose);
    ship[4]!.push(row.carrier);
    ship[5]!.push(row.destination_region);
    ship[6]!.push(row.status);
    ship[7]!.push(p.offset(row.registered_at));
    ship[8]!.push(`{${instants.join(',')}}`);
    ship[9]!.push(pickupMs);
  });
  const timersCovered = tm[0]!.length;
  const deliveriesCovered = dl[0]!.length;
  if (timersCovered !== timers.length || deliveriesCovered !== deliveries.length)
    throw new Error(
      `template rows not attributed to a shipment: timers ${timersCovered}/${timers.length}, deliveries ${deliveriesCovered}/${deliveries.length}`,
    );

  await c.query(
    `
    CREATE TEMP TABLE bench_tmpl_ship AS
    SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::bigint[]) AS t(j, tenant, order_id, purpose, carrier, destination_region, status, registered)`,
    ship.slice(0, 8),
  );
  await c.query('ALTER TABLE bench_tmpl_ship ADD COLUMN instants bigint[], ADD COLUMN pickup_ms bigint');
  await c.query(
    `UPDATE bench_tmpl_ship s SET instants = t.instants::bigint[], pickup_ms = t.pickup_ms
       FROM unnest($1::int[], $2::text[], $3::bigint[]) AS t(j, instants, pickup_ms) WHERE s.j = t.j`,
    [ship[0], ship[8], ship[9]],
  );
  await c.query('ALTER TABLE bench_tmpl_ship ADD PRIMARY KEY (j)');
  await c.query(
    `CREATE TEMP TABLE bench_tmpl_events AS
     SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::uuid[])
       AS t(j, version, type, data, metadata, recorded, id_key, template_id)`,
    ev,
  );
  await c.query('ALTER TABLE bench_tmpl_events ADD PRIMARY KEY (j, version)');
  await c.query(
    `CREATE TEMP TABLE bench_tmpl_timers AS
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],
                          $8::bigint[], $9::bigint[], $10::bigint[])
       AS t(j, timer_id, tenant, kind, due, payload, metadata, fired, cancelled, created)`,
    tm,
  );
  await c.query(
    `CREATE TEMP TABLE bench_tmpl_deliveries AS
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::int[], $9::int[], $10::bigint[], $11::text[])
       AS t(j, idempotency_key, tenant, kind, subject, outcome, target, status_code, attempts, recorded, refused)`,
    dl,
  );
  await c.query('ANALYZE bench_tmpl_ship, bench_tmpl_events, bench_tmpl_timers, bench_tmpl_deliveries');
  return eventsPerShipment;
}

/**
 * The functions the clone statements use, in `c`'s session: `pg_temp.bench_uuid` (the service's `deterministicUuid`
 * in SQL: a scan's event ids), `pg_temp.bench_fill` (a pattern filled with a clone's values).
 */
async function writeFunctions(c: Client, eventsPerShipment: number): Promise<void> {
  await c.query(`
    CREATE FUNCTION pg_temp.bench_uuid(key text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
      SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-8' || substr(h, 14, 3) || '-' ||
              to_hex((('x' || substr(h, 17, 1))::bit(4)::int & 3) | 8) || substr(h, 18, 3) || '-' ||
              substr(h, 21, 12))::uuid
        FROM (SELECT encode(sha256(convert_to(key, 'UTF8')), 'hex') AS h) s
    $$`);
  let fill = "replace(replace(p, '{{sid}}', sid::text), '{{trk}}', trk)";
  for (let k = 0; k < SLOTS; k++) {
    fill = `replace(replace(${fill}, '{{t${k}}}', instants[${k + 1}]), '{{f${k}}}', fresh[${k + 1}]::text)`;
  }
  for (let v = 1; v <= eventsPerShipment; v++) fill = `replace(${fill}, '{{e${v}}}', ev[${v}]::text)`;
  await c.query(`
    CREATE FUNCTION pg_temp.bench_fill(p text, sid uuid, trk text, instants text[], fresh uuid[], ev uuid[])
      RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT ${fill} $$`);
}

/**
 * Clones `count` shipments numbered from `from` (tracking number `<prefix><n, 7 digits>`), each of template
 * `n % templates`, picked up at `pickup` (an SQL expression of `n`), in one transaction.
 */
/** Time spent per seeding statement, summed over the chunks (where seeding time goes). */
const seedTimes = new Map<string, number>();
async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await run();
  } finally {
    seedTimes.set(what, (seedTimes.get(what) ?? 0) + performance.now() - t);
  }
}

async function cloneChunk(
  c: Client,
  opts: { from: number; count: number; templates: number; prefix: string; pickup: string; eventsPerShipment: number },
): Promise<void> {
  const V = opts.eventsPerShipment;
  const ms = (col: string) => `make_interval(secs => ${col} / 1000.0)`;
  const fill = (col: string) => `pg_temp.bench_fill(${col}, c.sid, c.trk, c.instants, c.fresh, c.ev)`;
  await c.query('BEGIN');
  try {
    await c.query('DROP TABLE IF EXISTS bench_clone');
    await timed('clone values', () =>
      c.query(
        `CREATE TEMP TABLE bench_clone AS
       SELECT b.n, b.j, b.sid, b.trk, b.at,
              ARRAY(SELECT to_char((b.at + ${ms('i')}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                      FROM unnest(t.instants) WITH ORDINALITY AS x(i, o) ORDER BY o) AS instants,
              ARRAY[${Array.from({ length: SLOTS }, () => 'gen_random_uuid()').join(', ')}] AS fresh,
              ARRAY(SELECT coalesce(pg_temp.bench_uuid(replace(e.id_key, '{{trk}}', b.trk)), gen_random_uuid())
                      FROM bench_tmpl_events e WHERE e.j = b.j ORDER BY e.version) AS ev
         FROM (SELECT n, n % $3 AS j, gen_random_uuid() AS sid, $4 || lpad(n::text, 7, '0') AS trk, ${opts.pickup} AS at
                 FROM generate_series($1::int, $1::int + $2::int - 1) AS n) b
         JOIN bench_tmpl_ship t ON t.j = b.j`,
        [opts.from, opts.count, opts.templates, opts.prefix],
      ),
    );
    // Each clone's events in stream order, the hash chain recomputed as es_append computes it; its es_streams row from
    // the last one. `OFFSET 0` keeps each lateral from being pulled up: its columns are computed once, not once per
    // reference (a pulled-up hash is recomputed by every later link of the chain).
    const laterals: string[] = [];
    const values: string[] = [];
    for (let v = 1; v <= V; v++) {
      laterals.push(`
        CROSS JOIN LATERAL (SELECT c.ev[${v}] AS id, e.type, ${fill('e.data')}::jsonb AS data,
                                   ${fill('e.metadata')}::jsonb AS metadata, c.at + ${ms('e.recorded')} AS rec
                              FROM bench_tmpl_events e WHERE e.j = c.j AND e.version = ${v} OFFSET 0) x${v}
        CROSS JOIN LATERAL (SELECT es_event_hash(${v === 1 ? 'NULL::bytea' : `h${v - 1}.h`}, x${v}.id,
                                   'shipment-' || c.sid, ${v}::bigint, x${v}.type, x${v}.data, x${v}.metadata,
                                   x${v}.rec) AS h OFFSET 0) h${v}`);
      values.push(`(${v}, x${v}.id, x${v}.type, x${v}.data, x${v}.metadata, x${v}.rec, h${v}.h)`);
    }
    await timed('events and streams', () =>
      c.query(`
      WITH inserted AS (
        INSERT INTO es_events (transaction_id, event_id, stream_id, stream_version, type, data, metadata, recorded_at,
                               hash)
        SELECT pg_current_xact_id(), v.id, 'shipment-' || c.sid, v.version, v.type, v.data, v.metadata, v.rec, v.h
          FROM bench_clone c ${laterals.join('')}
          CROSS JOIN LATERAL (VALUES ${values.join(', ')}) AS v(version, id, type, data, metadata, rec, h)
         ORDER BY c.n, v.version
        RETURNING stream_id, stream_version, hash
      )
      INSERT INTO es_streams (stream_id, version, last_hash, last_transaction_id)
      SELECT stream_id, stream_version, hash, pg_current_xact_id() FROM inserted WHERE stream_version = ${V}`),
    );
    await timed('list rows', () =>
      c.query(`
      INSERT INTO shipments_index (tenant, shipment_id, case_id, return_id, order_id, purpose, carrier, tracking_number,
                                   destination_region, status, registered_at)
      SELECT t.tenant, c.sid, NULL, NULL, ${fill('t.order_id')}, t.purpose, t.carrier, c.trk, t.destination_region,
             t.status, c.at + ${ms('t.registered')}
        FROM bench_clone c JOIN bench_tmpl_ship t ON t.j = c.j`),
    );
    await timed('timers', () =>
      c.query(`
      INSERT INTO es_timers (timer_id, tenant, kind, due_at, payload, metadata, fired_at, cancelled_at, created_at)
      SELECT ${fill('t.timer_id')}, t.tenant, t.kind, c.at + ${ms('t.due')}, ${fill('t.payload')}::jsonb,
             ${fill('t.metadata')}::jsonb, c.at + ${ms('t.fired')}, c.at + ${ms('t.cancelled')},
             c.at + ${ms('t.created')}
        FROM bench_clone c JOIN bench_tmpl_timers t ON t.j = c.j`),
    );
    await timed('deliveries', () =>
      c.query(`
      INSERT INTO notification_deliveries (idempotency_key, tenant, kind, subject, outcome, target, status_code,
                                           attempts, recorded_at, refused)
      SELECT ${fill('d.idempotency_key')}, d.tenant, d.kind, ${fill('d.subject')}::jsonb, d.outcome, d.target,
             d.status_code, d.attempts, c.at + ${ms('d.recorded')}, d.refused
        FROM bench_clone c JOIN bench_tmpl_deliveries d ON d.j = c.j`),
    );
    await timed('commit', () => c.query('COMMIT'));
  } catch (error) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function cloneRange(
  c: Client,
  label: string,
  opts: { from: number; count: number; templates: number; prefix: string; pickup: string; eventsPerShipment: number },
): Promise<number> {
  const started = Date.now();
  let done = 0;
  let lastLog = 0;
  while (done < opts.count) {
    const count = Math.min(CHUNK, opts.count - done);
    await cloneChunk(c, { ...opts, from: opts.from + done, count });
    done += count;
    const elapsed = (Date.now() - started) / 1000;
    if (Date.now() - lastLog > 10_000 || done === opts.count) {
      lastLog = Date.now();
      const perSecond = done / elapsed;
      const eta = (opts.count - done) / perSecond;
      log(
        `  ${label}: ${done.toLocaleString('en-US')} / ${opts.count.toLocaleString('en-US')} shipments, ` +
          `${perSecond.toFixed(0)}/s (≈ ${(perSecond * opts.eventsPerShipment).toFixed(0)} events/s), ` +
          `ETA ${eta.toFixed(0)} s, load ${load()}`,
      );
    }
  }
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const database = `bench_logistics_timers_${suffix}`;
  const tenant = `bench-${suffix}`;
  const prefix = `SF${suffix.toUpperCase()}`;
  const trackingOf = (n: number) => `${prefix}${String(n).padStart(7, '0')}`;
  const service = new ServiceProcess('logistics', await freePort(), {
    DATABASE_URL: SERVER_URL,
    DATABASE_NAME: database,
    KAFKA_BROKERS: BROKERS.join(','),
    AUTH_JWT_SECRET: SECRET,
    KAFKA_CONSUMER_GROUP_PREFIX: `bench-${suffix}.`,
    KAFKA_CONSUMER_FROM_BEGINNING: 'false',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
  });
  log(
    `${ACTIVE.toLocaleString('en-US')} active shipments (a template of ${TEMPLATE} through the API, the rest cloned), ` +
      `${DUE_IN_WINDOW.toLocaleString('en-US')} due over a ${SECONDS} s window; load ${load()}`,
  );
  let db: Client | null = null;
  try {
    // 1. The template, through the running service's API.
    log(`starting logistics (real process, fresh database ${database})…`);
    await service.start(120_000);
    const admin = await signDevToken({ subject: 'admin', tenant, roles: ['admin'] }, SECRET);
    const ops = await signDevToken({ subject: 'ops', tenant, roles: ['logistics'] }, SECRET);
    const call = apiCaller(service.url);
    await call(admin, 'PUT', '/carrier-integrations/bench-sf', { carrier: CARRIER, secret: CARRIER_SECRET });
    const seedStart = Date.now();
    const template: Array<{ shipmentId: string; trackingNumber: string; pickupMs: number }> = [];
    await pool(
      Array.from({ length: TEMPLATE }, (_, i) => i),
      16,
      async (i) => {
        const trackingNumber = trackingOf(i);
        const shipment = await call(ops, 'POST', '/shipments', {
          orderId: `ORD-${trackingNumber}`,
          carrier: CARRIER,
          trackingNumber,
          originRegion: 'CN-ZJ',
          destinationRegion: `CN-${String(i % REGIONS).padStart(2, '0')}`,
          items: [{ sku: 'BENCH', quantity: 1 }],
        });
        template[i] = { shipmentId: String(shipment.shipmentId), trackingNumber, pickupMs: 0 };
      },
    );
    const pickedUpAt = Date.now() - 1_000;
    for (const [i, t] of template.entries()) t.pickupMs = pickedUpAt - i;
    const scans = template.map((t) => ({
      eventId: `${t.trackingNumber}-pickup`,
      trackingNumber: t.trackingNumber,
      status: 'picked_up',
      location: 'Hangzhou hub',
      occurredAt: new Date(t.pickupMs).toISOString(),
    }));
    for (let i = 0; i < scans.length; i += 500) {
      const res = await postCarrierEvents(service.url, 'bench-sf', CARRIER_SECRET, scans.slice(i, i + 500));
      const { results } = (await res.json()) as { results: Array<{ outcome: string }> };
      if (results.some((r) => r.outcome !== 'recorded')) throw new Error('a template pickup was not recorded');
    }
    db = await connect(database);
    const c = db;
    // Its notices delivered and its events published, as they would be long before the clones' timers fall due.
    await waitFor('the template to settle', async () => {
      const { rows } = await c.query<{ pending: number; behind: boolean }>(
        `SELECT (SELECT count(*)::int FROM es_timers WHERE kind <> 'shipment-tracking' AND fired_at IS NULL
                                                         AND cancelled_at IS NULL) AS pending,
                coalesce((SELECT max(position) FROM es_events) >
                         (SELECT max(position) FROM es_checkpoints WHERE name LIKE 'outbox-relay:%'), true) AS behind`,
      );
      return rows[0]?.pending === 0 && rows[0]?.behind === false;
    });
    const templateSeconds = (Date.now() - seedStart) / 1000;
    log(
      `  template: ${TEMPLATE} shipments registered and picked up through the API in ${templateSeconds.toFixed(1)} s`,
    );
    await service.stop();

    // 2. The clones, in SQL, with the service stopped.
    const eventsPerShipment = await writePatterns(c, tenant, template);
    await writeFunctions(c, eventsPerShipment);
    const far = ACTIVE - TEMPLATE - DUE_IN_WINDOW;
    const base = { templates: TEMPLATE, prefix, eventsPerShipment };
    // Picked up within the hour before seeding: the stalled timer 47–48 h ahead.
    const farSeconds = await cloneRange(c, 'far', {
      ...base,
      from: TEMPLATE,
      count: far,
      pickup: `timestamptz '${new Date(seedStart).toISOString()}' - make_interval(secs => ((n::bigint * 7919) % ${HOUR}) / 1000.0)`,
    });
    // The lead runs from the end of the window's seeding (at the far clones' rate) and of ANALYZE (about 1 s per
    // 100,000 shipments here): the service's restart must fit in it.
    const windowStart = Date.now() + LEAD_MS + ((DUE_IN_WINDOW / (far / farSeconds)) * 1.5 + ACTIVE / 50_000) * 1000;
    const windowEnd = windowStart + SECONDS * 1000;
    // Picked up 48 h before a point of the window, spread evenly over it.
    const first = TEMPLATE + far;
    const windowSeconds = await cloneRange(c, 'due in the window', {
      ...base,
      from: first,
      count: DUE_IN_WINDOW,
      pickup: `timestamptz '${new Date(windowStart - 48 * HOUR).toISOString()}' + make_interval(secs => ((n - ${first} + 0.5) / ${DUE_IN_WINDOW} * ${SECONDS}))`,
    });
    // The relay published the template; a running service would have published the clones long ago.
    await c.query(`
      UPDATE es_checkpoints SET (transaction_id, position, updated_at) =
             (SELECT transaction_id, position, now() FROM es_events ORDER BY transaction_id DESC, position DESC LIMIT 1)
       WHERE name LIKE 'outbox-relay:%'`);
    const analyzeStart = Date.now();
    await c.query('ANALYZE');
    const analyzeSeconds = (Date.now() - analyzeStart) / 1000;
    const seedSeconds = (Date.now() - seedStart) / 1000;
    log(`  seeding time by statement: ${[...seedTimes].map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
    const sizes = await c.query<{ events: string; timers: string; active: string; size: string }>(
      `SELECT (SELECT count(*) FROM es_events) AS events, (SELECT count(*) FROM es_timers) AS timers,
              (SELECT count(*) FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL) AS active,
              pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    const s = sizes.rows[0]!;
    log(
      `  seeded in ${seedSeconds.toFixed(0)} s (clones ${(farSeconds + windowSeconds).toFixed(0)} s, ANALYZE ` +
        `${analyzeSeconds.toFixed(0)} s): ${Number(s.events).toLocaleString('en-US')} events, ` +
        `${Number(s.timers).toLocaleString('en-US')} timers (${Number(s.active).toLocaleString('en-US')} active), ${s.size}`,
    );

    // 3. The service again, to fire them.
    const restart = Date.now();
    await service.start(120_000);
    const marginS = (windowStart - Date.now()) / 1000;
    log(
      `  logistics restarted in ${((Date.now() - restart) / 1000).toFixed(1)} s; the window opens in ${marginS.toFixed(1)} s`,
    );
    if (marginS < 5) log('  WARNING: the window opened before the service settled; raise BENCH_WINDOW_LEAD_S');
    const loadAtWindow = load();
    while (Date.now() < windowEnd + 30_000) {
      await new Promise((r) => setTimeout(r, 5_000));
      // The window's timers still pending, through the pending timers' index (a count of the fired ones would scan
      // the table, competing with the service for the machine).
      const { rows } = await c.query<{ fired: number }>(
        `SELECT $3::int - count(*)::int AS fired FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL
            AND due_at >= $1 AND due_at < $2 AND kind = 'shipment-tracking'`,
        [new Date(windowStart), new Date(windowEnd), DUE_IN_WINDOW],
      );
      log(`  fired ${rows[0]?.fired ?? 0} / ${DUE_IN_WINDOW} of the window's timers; load ${load()}`);
      if (Date.now() > windowEnd && rows[0]?.fired === DUE_IN_WINDOW) break;
    }
    const loadAfter = load();
    // A timer's lateness from what it recorded: its `ShipmentStalled` against the instant the stall fell due (the last
    // scan + 48 h, the default rule). The check that records it moves the same timer on to the lost rule (ADR 27), so
    // `es_timers` no longer shows when it fired. Those that recorded nothing count as not fired.
    const { rows: late } = await c.query<{ ms: number }>(
      `SELECT extract(epoch FROM (recorded_at - ((data->>'lastScanAt')::timestamptz + interval '48 hours'))) * 1000 AS ms
         FROM es_events
        WHERE type = 'ShipmentStalled'
          AND (data->>'lastScanAt')::timestamptz + interval '48 hours' >= $1
          AND (data->>'lastScanAt')::timestamptz + interval '48 hours' < $2`,
      [new Date(windowStart), new Date(windowEnd)],
    );
    const lateness = [
      ...late.map((r) => Number(r.ms)),
      ...Array.from({ length: Math.max(0, DUE_IN_WINDOW - late.length) }, () => Number.POSITIVE_INFINITY),
    ].sort((a, b) => a - b);
    const unfired = lateness.filter((ms) => !Number.isFinite(ms)).length;
    const counts = await c.query<{ stalled: number; alarms: number; active: number }>(
      `SELECT (SELECT count(*)::int FROM es_events WHERE type = 'ShipmentStalled') AS stalled,
              (SELECT count(*)::int FROM es_events WHERE type = 'RegionalAlarmRaised') AS alarms,
              (SELECT count(*)::int FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL
                                                     AND kind = 'shipment-tracking') AS active`,
    );
    const k = counts.rows[0]!;
    const p99 = percentile(lateness, 99);
    const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'not fired');
    console.log('');
    console.log(`load average (1/5/15 min): at the window ${loadAtWindow}, after ${loadAfter}`);
    console.log('');
    console.log('| measurement | value | target | met? |');
    console.log('| :-- | --: | :-- | :-- |');
    console.log(
      `| active shipments, each with its tracking timer (template through the API + clones) | ${ACTIVE.toLocaleString('en-US')} (${TEMPLATE} + ${(ACTIVE - TEMPLATE).toLocaleString('en-US')}) | 1,000,000 | ${ACTIVE >= 1_000_000 ? 'yes' : 'NO (scaled down)'} |`,
    );
    console.log(
      `| seeding: template through the API / clones in SQL / ANALYZE, s | ${templateSeconds.toFixed(0)} / ${(farSeconds + windowSeconds).toFixed(0)} / ${analyzeSeconds.toFixed(0)} (${((ACTIVE - TEMPLATE) / (farSeconds + windowSeconds)).toFixed(0)} clones/s) | — | — |`,
    );
    console.log(
      `| timers due in the window (${SECONDS} s), lateness p50 / p99 / max, ms (n=${lateness.length}) | ${fmt(percentile(lateness, 50))} / ${fmt(p99)} / ${fmt(lateness.at(-1) ?? Number.NaN)} | p99 ≤ ${TARGET_P99_MS.toLocaleString('en-US')} | ${p99 <= TARGET_P99_MS ? 'yes' : 'NO'} |`,
    );
    console.log(
      `| of them not fired ${((Date.now() - windowEnd) / 1000).toFixed(0)} s after the window | ${unfired} | 0 | ${unfired === 0 ? 'yes' : 'NO'} |`,
    );
    console.log(
      `| \`ShipmentStalled\` appended / timers due in the window | ${k.stalled} / ${DUE_IN_WINDOW} | all | ${k.stalled === DUE_IN_WINDOW ? 'yes' : 'NO'} |`,
    );
    console.log(`| \`RegionalAlarmRaised\` appended (${REGIONS} regions) | ${k.alarms} | — | — |`);
    console.log(
      `| active tracking timers at the end | ${k.active.toLocaleString('en-US')} | ${ACTIVE.toLocaleString('en-US')} | — |`,
    );
  } finally {
    await service.stop();
    await db?.end();
    if (KEEP) log(`kept database ${database}`);
    else {
      const admin = await connect('postgres');
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
