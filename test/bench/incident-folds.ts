/**
 * A surge of complaints about one product batch, in the incidents domain (ADR 31): what the complaint cluster and
 * the incident cost to fold as they grow. Each transaction of the complaint consumer loads both streams whole and
 * folds them, so a surge of n complaints costs n folds of up to n events: the fold must be linear in the stream, or the
 * surge — the emergency incidents exist for — slows down as it grows.
 *
 *   npm run bench:incident-folds                    # 1,000, 5,000 and 20,000 complaints
 *   BENCH_SURGES=2000,50000 npm run bench:incident-folds
 *
 * Per size n: the cluster's n `ComplaintClustered` events (decided one by one, as the consumer does, each graded on
 * the window so far) and the incident's `ComplaintAttached` events; then the time to fold each whole history (the
 * median of a few folds), against a baseline in the same run: a loop that only touches every event (collects the
 * complaint ids into a Set). Pure CPU in this process: no database, no broker.
 */
import type { CommandContext } from '@aftersales/domain';
import {
  complaintClusterDecider,
  incidentDecider,
  type ComplaintClusterEvent,
  type IncidentEvent,
  type IncidentState,
  noComplaintFlags,
} from '@aftersales/incidents';

const SIZES = (process.env.BENCH_SURGES ?? '1000,5000,20000').split(',').map(Number);
const log = (m: string) => console.log(`[incident-folds ${new Date().toISOString().slice(11, 19)}] ${m}`);
const tenant = 'bench-shop';
const start = Date.parse('2026-12-01T00:00:00.000Z');
const context = (at: number, id = 'cluster-watch'): CommandContext =>
  ({ tenant, actor: { id, roles: ['system'] }, now: new Date(at) }) as CommandContext;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median wall time of `runs` calls of `fn`, in ms. */
function time(fn: () => unknown, runs: number): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** The cluster's history of n complaints, each decided on the state the ones before left (the consumer's work). */
function clusterHistory(n: number): { events: ComplaintClusterEvent[]; decideMs: number } {
  const { decide, evolve, initialState } = complaintClusterDecider;
  let state = initialState();
  const events: ComplaintClusterEvent[] = [];
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const at = start + i * 1_000;
    const decided = decide(
      {
        type: 'RegisterComplaint',
        context: context(at),
        data: {
          complaintId: `CMP-${i}`,
          customerRef: `CUS-${i}`,
          category: 'product-quality',
          sku: 'BAT-100',
          batch: 'B-7',
          region: `CN-${i % 31}`,
          description: 'The battery swells after a week',
          receivedAt: new Date(at).toISOString(),
          flags: noComplaintFlags,
        },
      } as Parameters<typeof decide>[0],
      state,
    );
    for (const e of decided) state = evolve(state, e);
    events.push(...decided);
  }
  return { events, decideMs: performance.now() - t };
}

/** An incident opened for the batch with n complaints attached. */
function incidentHistory(n: number): IncidentEvent[] {
  const { decide, evolve, initialState } = incidentDecider;
  let state: IncidentState = initialState();
  const events: IncidentEvent[] = [];
  const run = (command: Parameters<typeof decide>[0]) => {
    const decided = decide(command, state);
    for (const e of decided) state = evolve(state, e);
    events.push(...decided);
  };
  run({
    type: 'OpenIncident',
    context: context(start),
    data: {
      incidentId: 'INC-SURGE',
      category: 'product-quality',
      clusterKey: 'sku:BAT-100|batch:B-7',
      level: 'L2',
      complaintCount: 10,
      reason: '10 customers',
      flags: noComplaintFlags,
    },
  } as Parameters<typeof decide>[0]);
  for (let i = 0; i < n; i++) {
    run({
      type: 'AttachComplaint',
      context: context(start + i * 1_000),
      data: { complaintId: `CMP-${i}`, customerRef: `CUS-${i}`, caseId: `CASE-${i}`, orderId: `ORD-${i}` },
    } as Parameters<typeof decide>[0]);
  }
  return events;
}

function baseline(events: ReadonlyArray<{ readonly data: unknown }>): number {
  const ids = new Set<unknown>();
  for (const e of events) ids.add((e.data as { complaintId?: unknown }).complaintId);
  return ids.size;
}

function main(): void {
  log(`surges of ${SIZES.join(', ')} complaints about one batch (node ${process.version})`);
  const rows: string[] = [];
  for (const n of SIZES) {
    const { events: cluster, decideMs } = clusterHistory(n);
    const incident = incidentHistory(n);
    // A few folds of each: fewer of the big ones when a fold is slow (the quadratic one takes minutes).
    const runs = n <= 5_000 ? 5 : 3;
    const foldCluster = time(
      () => cluster.reduce(complaintClusterDecider.evolve, complaintClusterDecider.initialState()),
      runs,
    );
    const foldIncident = time(() => incident.reduce(incidentDecider.evolve, incidentDecider.initialState()), runs);
    const base = time(() => baseline(cluster), Math.max(runs, 11));
    log(`  ${n}: cluster fold ${foldCluster.toFixed(1)} ms, incident fold ${foldIncident.toFixed(1)} ms`);
    rows.push(
      `| ${n.toLocaleString('en')} | ${cluster.length.toLocaleString('en')} | ${foldCluster.toFixed(1)} | ${foldIncident.toFixed(1)} | ${base.toFixed(2)} | ${(foldCluster / base).toFixed(0)}× / ${(foldIncident / base).toFixed(0)}× | ${(decideMs / 1000).toFixed(2)} |`,
    );
  }
  console.log('');
  console.log(
    '| complaints | cluster events | fold the cluster, ms | fold the incident, ms | baseline: touch every event, ms | folds / baseline | the surge decided one by one, s |',
  );
  console.log('| --: | --: | --: | --: | --: | :-- | --: |');
  for (const row of rows) console.log(row);
}

main();
