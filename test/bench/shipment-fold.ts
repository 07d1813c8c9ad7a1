/**
 * The logistics domain's CPU per carrier scan (issue 11), without a database or a broker: what a webhook batch costs
 * the shipment decider. For each shipment of a batch the service folds its stream read from Postgres, decides the
 * scan, folds the new events and asks when the tracking timer must next look; here the same work on the same events,
 * against a baseline measured in the same run on the same events: parsing their JSON text (what the `pg` driver does
 * to every row the batch reads), so the ratio says how the domain's work compares with merely reading its input.
 *
 *   npm run bench:shipment-fold                         # 500 shipments of 12 scans, 21 rounds
 *   BENCH_SHIPMENTS=2000 BENCH_SCANS=30 npm run bench:shipment-fold
 *
 * Prints per round the median µs per scan of both, and their ratio; the median ratio over rounds is the figure to
 * compare between commits (this machine's speed drifts; the ratio less so).
 */
import type { CommandContext } from '@aftersales/domain';
import {
  defaultLogisticsPolicy,
  nextTrackingCheck,
  registration,
  shipmentDecider,
  type Scan,
  type ShipmentEvent,
} from '@aftersales/logistics';

const SHIPMENTS = Number(process.env.BENCH_SHIPMENTS ?? 500);
const SCANS = Number(process.env.BENCH_SCANS ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const HOUR = 3_600_000;
const start = Date.parse('2026-12-01T00:00:00.000Z');
const rules = defaultLogisticsPolicy.tracking;
const log = (m: string) => console.log(`[shipment-fold ${new Date().toISOString().slice(11, 19)}] ${m}`);

type ShipmentState = ReturnType<typeof shipmentDecider.initialState>;
const context = (at: number): CommandContext =>
  ({ tenant: 'bench-shop', actor: { id: 'carrier:sf', roles: ['system'] }, now: new Date(at) }) as CommandContext;

const hubs = ['Hangzhou hub', 'Shanghai hub', 'Nanjing hub', 'Wuhan hub', 'Changsha hub', 'Guangzhou hub'];
let scanCounter = 0;
function aScan(status: Scan['status'], at: number, location: string): Scan {
  const instant = new Date(at).toISOString();
  return {
    eventId: `sf-${++scanCounter}`,
    status,
    carrierStatus: status,
    location,
    occurredAt: instant,
    receivedAt: instant,
    exceptionCode: null,
    counted: null,
  } as Scan;
}

function decideAll(state: ShipmentState, command: Parameters<typeof shipmentDecider.decide>[0]) {
  const events = shipmentDecider.decide(command, state) as ShipmentEvent[];
  let next = state;
  for (const e of events) next = shipmentDecider.evolve(next, e);
  return { events, state: next };
}

/** A shipment's stream as stored: registration, pickup and `SCANS` scans in transit, decided by the decider. */
function history(i: number): ShipmentEvent[] {
  const shipmentId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  let at = start + (i % 60) * 60_000;
  let state = shipmentDecider.initialState();
  const events: ShipmentEvent[] = [];
  const run = (command: Parameters<typeof shipmentDecider.decide>[0]) => {
    const r = decideAll(state, command);
    events.push(...r.events);
    state = r.state;
  };
  run({
    type: 'RegisterShipment',
    context: context(at),
    data: registration(shipmentId, null, { orderId: `ORD-${i}`, trackingNumber: `SF${i}` }),
  } as unknown as Parameters<typeof shipmentDecider.decide>[0]);
  at += HOUR;
  run({ type: 'RecordScan', context: context(at), data: { scan: aScan('picked_up', at, hubs[0]!) } } as never);
  for (let s = 0; s < SCANS; s++) {
    at += 2 * HOUR;
    run({
      type: 'RecordScan',
      context: context(at),
      data: { scan: aScan('in_transit', at, hubs[(s + 1) % hubs.length]!) },
    } as never);
  }
  return events;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  log(`${SHIPMENTS} shipments of ${SCANS + 1} scans each (${SCANS + 3}–${SCANS + 4} events), ${ROUNDS} rounds`);
  const streams = Array.from({ length: SHIPMENTS }, (_, i) => history(i));
  // As read from Postgres: each event's data is JSON text the driver parses.
  const texts = streams.map((events) => events.map((e) => ({ type: e.type, text: JSON.stringify(e.data) })));
  const events = streams.reduce((n, s) => n + s.length, 0);
  const lastAt = start + (SCANS * 2 + 2) * HOUR;
  const nextScans = streams.map((_, i) => aScan('in_transit', lastAt + i * 1_000, 'Shenzhen hub'));
  let sink = 0;

  /** The domain's work for one batch: fold, decide the scan, fold its events, the next tracking check before and after. */
  const domain = (): void => {
    for (let i = 0; i < streams.length; i++) {
      let state = shipmentDecider.initialState();
      for (const e of streams[i]!) state = shipmentDecider.evolve(state, e);
      const before = nextTrackingCheck(state, rules);
      const scan = nextScans[i]!;
      const r = decideAll(state, {
        type: 'RecordScan',
        context: context(Date.parse(scan.receivedAt)),
        data: { scan },
      } as never);
      const after = nextTrackingCheck(r.state, rules);
      sink += r.events.length + (before?.getTime() ?? 0) - (after?.getTime() ?? 0);
    }
  };
  /** The baseline: parse the same events' JSON text. */
  const parse = (): void => {
    for (const stream of texts) for (const e of stream) sink += (JSON.parse(e.text) as object) ? 1 : 0;
  };

  // Warm both up (the optimising compiler), then alternate them round by round.
  for (let i = 0; i < 3; i++) {
    domain();
    parse();
  }
  const ours: number[] = [];
  const base: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    domain();
    const d = ((performance.now() - t) * 1_000) / SHIPMENTS;
    t = performance.now();
    parse();
    const p = ((performance.now() - t) * 1_000) / SHIPMENTS;
    ours.push(d);
    base.push(p);
    ratios.push(d / p);
  }
  console.log('');
  console.log('| per scan of a batch (median of rounds) | µs |');
  console.log('| :-- | --: |');
  console.log(
    `| the domain: fold ${(events / SHIPMENTS).toFixed(1)} events, decide the scan, fold its events, next check ×2 | ${median(ours).toFixed(1)} |`,
  );
  console.log(`| baseline: parse the same events' JSON text | ${median(base).toFixed(1)} |`);
  console.log(
    `| domain / baseline (median of the rounds' ratios; min–max) | ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`,
  );
  if (sink === Number.MIN_SAFE_INTEGER) console.log('');
}

main();
