import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  Commands,
  deterministicUuid,
  fold,
  inTransaction,
  StreamSession,
  TimerWrites,
  type CommandOrigin,
  type CommandRequest,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { assertNever, DomainError } from '@aftersales/domain';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { alarmWindowOf, regionalAlarmDecider } from '../domain/regional-alarm';
import { normaliseScanStatus } from '../domain/scan-status';
import {
  scanHistory,
  shipmentDecider,
  type BookCarrier,
  type CancelShipment,
  type ChangeOrder,
  type ConfirmLargeOrder,
  type Line,
  type OpenShipment,
  type ReportTransitDamage,
  type ReportWrongItem,
  type Remedy,
  type UrgeShipping,
  type RegisterShipment,
  type Scan,
  type ShipmentCommand,
  type ShipmentEvent,
  type ShipmentState,
  type ShipmentStatus,
} from '../domain/shipment.decider';
import { ShipmentCaseUnknown, ShipmentNotFound } from '../domain/shipment.errors';
import { trackingRulesFor, type LogisticsPolicy } from '../domain/tracking-policy';
import { CASE_REGISTER, type CaseRegister } from './case-register.port';
import { LogisticsPoliciesService } from './logistics-policies.service';
import { REGIONAL_SIGNALS, regionalTallyKey, type RegionalSignals, type RegionalWindow } from './regional-signals.port';
import { SHIPMENT_INDEX, type ShipmentIndex, type ShipmentSummary } from './shipment-index.port';
import { shipmentSession } from './shipment-snapshots';
import { noticesOf, rearmTracking, writeNotices, writeTracking } from './tracking-timers';

export const shipmentStream = (id: string) => `shipment-${id}`;
export const regionalAlarmStream = (alarmId: string) => `regional-alarm-${alarmId}`;

/** A shipment as the API or a consumer registers it: the large-order threshold is the tenant's policy. */
export type ShipmentInput = Omit<RegisterShipment['data'], 'largeOrderItems'>;

type Request<C extends ShipmentCommand, Omitted extends keyof C['data'] = never> = {
  readonly type: C['type'];
  readonly data: Omit<C['data'], Omitted>;
};

/** A step of a shipment as the API asks for it: the ids, carriers and thresholds a remedy needs are the service's. */
export type ShipmentStep =
  | Request<BookCarrier>
  | Request<ConfirmLargeOrder>
  | Request<CancelShipment>
  | Request<UrgeShipping, 'investigationId'>
  | Request<ChangeOrder, 'reshipmentId' | 'reshipCarrier'>
  | Request<ReportWrongItem, 'valuableGoodsMinor' | 'remedy'>
  | Request<ReportTransitDamage, 'remedy'>;

/** What one command appended, and the shipment as it left it: the consequences follow from these. */
interface ShipmentChange {
  readonly state: OpenShipment;
  readonly events: readonly ShipmentEvent[];
  readonly eventIds: readonly string[];
  /** The origin of the command that made it, when not the transaction's (each timer of a batch has its own). */
  readonly origin?: CommandOrigin;
  /**
   * The shipment as the transaction found it, when the caller kept it: its tracking timer then moves only when the
   * next rule comes earlier (ADR 33); without it the timer is re-armed at the new state's rule.
   */
  readonly before?: ShipmentState;
}

/** A stalled or lost shipment, to count towards its region's alarm, and the origin of the command that said so. */
interface Signal {
  readonly by: CommandOrigin;
  readonly kind: 'stalled' | 'lost';
  readonly shipment: {
    readonly shipmentId: string;
    readonly caseId: string | null;
    readonly orderId: string;
    readonly carrier: string;
    readonly destinationRegion: string;
  };
  readonly at: string;
}

/** A tracking timer's check of one shipment, as {@link ShipmentsService.checkTrackingAll} runs many at once. */
export interface TrackingCheck {
  readonly origin: CommandOrigin;
  readonly shipmentId: string;
  /** The tenant's policy as read in the transaction. */
  readonly policy: LogisticsPolicy;
}

/** What became of one check: the events it appended, or the domain error that left nothing to do. */
export type TrackingCheckOutcome =
  | { readonly shipmentId: string; readonly appended: readonly ShipmentEvent['type'][] }
  | { readonly shipmentId: string; readonly error: DomainError };

/** A shipment as the API shows it: its state and its scan history ({@link scanHistory}, not part of the state). */
export interface TrackedShipment {
  readonly state: OpenShipment;
  readonly scans: readonly Scan[];
}

/** One scan line as a carrier integration reports it (webhook or ingress topic). */
export interface CarrierScanInput {
  readonly eventId: string;
  readonly trackingNumber: string;
  readonly status: string;
  readonly location: string;
  readonly occurredAt: string;
  readonly exceptionCode?: string;
  readonly counted?: readonly Line[];
}

/** What became of one reported scan. */
export type ScanOutcome =
  | { readonly eventId: string; readonly outcome: 'recorded' | 'duplicate'; readonly shipmentId: string }
  | { readonly eventId: string; readonly outcome: 'unknown_tracking_number' | 'unknown_status' };

/**
 * Application service of the Shipment aggregate: every command in one transaction with its consequences — the
 * shipments list, the tracking timer of the new state, the notices, the reshipment a lost parcel asks for. Another
 * tenant's shipment is indistinguishable from none.
 */
@Injectable()
export class ShipmentsService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(CASE_REGISTER) private readonly cases: CaseRegister,
    @Inject(SHIPMENT_INDEX) private readonly index: ShipmentIndex,
    @Inject(LogisticsPoliciesService) private readonly policies: LogisticsPoliciesService,
    @Inject(REGIONAL_SIGNALS) private readonly signals: RegionalSignals,
  ) {}

  /**
   * Registers a shipment over HTTP: a case it names must have reached this service. A retry (the same
   * `Idempotency-Key`) answers the shipment as it is now, scans included.
   */
  async registerForCase(origin: CommandOrigin, input: ShipmentInput): Promise<TrackedShipment> {
    if (input.caseId && !(await this.cases.find(origin.tenant, input.caseId)))
      throw new ShipmentCaseUnknown(input.caseId);
    return inTransaction(this.database.pool, async (tx) => this.tracked(await this.register(origin, input, tx), tx));
  }

  /**
   * Registers a shipment in the caller's transaction (a consumer's inbox transaction, a reshipment's), under the
   * tenant's policy as the caller read it in `tx`, else read now. A new shipment's stream is not read first (it
   * usually does not exist); when it does, the command is decided on it as stored.
   */
  async register(
    origin: CommandOrigin,
    input: ShipmentInput,
    tx: PoolClient,
    policy?: LogisticsPolicy,
  ): Promise<OpenShipment> {
    const inForce = policy ?? (await this.policies.forTenant(origin.tenant, tx));
    const data = { ...input, largeOrderItems: inForce.largeOrderItems };
    const request = { type: 'RegisterShipment', data } as const;
    return (await this.run(origin, input.shipmentId, request, tx, inForce, { expectNewStream: true })).state;
  }

  /** Whether the return already has its shipment of that purpose (from the shipment list, without reading it). */
  async hasForReturn(tx: PoolClient, tenant: string, returnId: string, purpose: 'return' | 'replacement') {
    return (await this.index.byReturn(tx, tenant, returnId, purpose)) !== null;
  }

  /** Runs one step of a shipment (the caller's transaction when given); unknown or foreign: `SHIPMENT.NOT_FOUND`. */
  async execute(
    origin: CommandOrigin,
    shipmentId: string,
    step: ShipmentStep,
    tx?: PoolClient,
  ): Promise<{ readonly state: OpenShipment; readonly appended: readonly ShipmentEvent['type'][] }> {
    const go = async (client: PoolClient) => {
      // The stream read once: the step is completed from the state the command is then decided on.
      const session = shipmentSession();
      const state = visible(await this.load(shipmentId, client, session), origin.tenant, shipmentId);
      const policy = await this.policies.forTenant(origin.tenant, client);
      return this.run(origin, shipmentId, completed(step, state, policy), client, policy, { session });
    };
    return tx ? go(tx) : inTransaction(this.database.pool, go);
  }

  /** {@link execute} in a transaction of its own, answering the shipment with its scan history (the API's steps). */
  async executeTracked(origin: CommandOrigin, shipmentId: string, step: ShipmentStep): Promise<TrackedShipment> {
    return inTransaction(this.database.pool, async (tx) =>
      this.tracked((await this.execute(origin, shipmentId, step, tx)).state, tx),
    );
  }

  /** A tracking timer fired: the tenant's rules for the shipment's carrier and lane, at the timer's time. */
  async checkTracking(
    origin: CommandOrigin,
    shipmentId: string,
    tx: PoolClient,
    /** The tenant's policy as read in `tx` (the timers read it once for the timers of a tenant they fire together). */
    tenantPolicy?: LogisticsPolicy,
    /**
     * The transaction's session when the caller keeps one (the timers' transaction: its shipments preloaded in one
     * query by {@link preloadShipments}); the caller forgets the shipment from it when this throws and rolls back.
     */
    session: StreamSession = shipmentSession(),
  ): Promise<readonly ShipmentEvent['type'][]> {
    const state = visible(await this.load(shipmentId, tx, session), origin.tenant, shipmentId);
    const policy = tenantPolicy ?? (await this.policies.forTenant(origin.tenant, tx));
    const { appended } = await this.run(origin, shipmentId, trackingCheckOf(policy, state), tx, policy, { session });
    if (appended.length === 0) {
      // Fired early (a later scan left it where it was, ADR 33): armed again at the rule's instant as of now.
      const writes = new TimerWrites();
      rearmTracking(writes, origin.tenant, state, rulesOf(policy, state));
      await writes.flush(tx);
    }
    return appended;
  }

  /**
   * Many tracking timers' checks in the caller's transaction, set-based (a burst of shipments falling silent
   * together): their shipments read in one query, each check decided in order on its shipment as the earlier checks
   * left it, the events of all appended in one statement, then their consequences (list rows, tracking timers and
   * notices written once per tenant; reshipments and regional tallies per event). A check its shipment refuses (gone,
   * another tenant's: a {@link DomainError}) is reported and leaves nothing; any other failure throws, and the caller
   * rolls back what the batch wrote.
   */
  async checkTrackingAll(checks: readonly TrackingCheck[], tx: PoolClient): Promise<TrackingCheckOutcome[]> {
    const session = shipmentSession({ deferAppends: true });
    const ids = [...new Set(checks.map((c) => c.shipmentId))];
    await session.preload(this.commands.store, ids.map(shipmentStream), shipmentDecider, tx);
    const outcomes: TrackingCheckOutcome[] = [];
    const changes = new Map<string, { policy: LogisticsPolicy; origin: CommandOrigin; list: ShipmentChange[] }>();
    // Checks that found nothing due: fired early (a later scan left the timer where it was, ADR 33), armed again.
    const rearmed = new TimerWrites();
    for (const { origin, shipmentId, policy } of checks) {
      try {
        const state = visible(await this.load(shipmentId, tx, session), origin.tenant, shipmentId);
        const result = await this.commands.handle(
          shipmentDecider,
          shipmentStream(shipmentId),
          origin,
          trackingCheckOf(policy, state),
          { tx, session },
        );
        if (result.newEvents.length > 0) {
          const after = visible(result.state, origin.tenant, shipmentId);
          const tenant = changes.get(origin.tenant) ?? { policy, origin, list: [] };
          tenant.list.push({ state: after, events: result.newEvents, eventIds: result.eventIds, origin });
          changes.set(origin.tenant, tenant);
        } else rearmTracking(rearmed, origin.tenant, state, rulesOf(policy, state));
        outcomes.push({ shipmentId, appended: result.newEvents.map((e) => e.type) });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ shipmentId, error });
      }
    }
    await session.flush(this.commands.store, tx);
    // Tenant by tenant in one order: the regional tallies a tenant's follow-up locks are taken in the same order by
    // every transaction (ADR 29).
    const byTenant = [...changes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, { origin, policy, list }] of byTenant) await this.follow(origin, tx, policy, list);
    await rearmed.flush(tx);
    return outcomes;
  }

  /**
   * Records a carrier's batch of scans in one transaction: each normalised and recorded once by its event id, in any
   * order; a tracking number the tenant does not know for that carrier, or a status no rule knows, is reported back.
   * Each scan is its own command, decided in order on its shipment as the batch's earlier scans left it; the batch
   * reads its shipments in one round trip, appends them in one, and then moves each shipment's list row and tracking
   * timer once, whatever number of its scans the batch carried.
   */
  async recordScans(
    origin: CommandOrigin,
    carrier: string,
    lines: readonly CarrierScanInput[],
    tx?: PoolClient,
  ): Promise<ScanOutcome[]> {
    const go = async (client: PoolClient) => {
      const numbers = [...new Set(lines.map((l) => l.trackingNumber))];
      const shipments = await this.index.byTrackingNumbers(client, origin.tenant, carrier, numbers);
      const policy = await this.policies.forTenant(origin.tenant, client);
      const receivedAt = this.commands.now().toISOString();
      const session = shipmentSession({ deferAppends: true });
      await session.preload(this.commands.store, [...shipments.values()].map(shipmentStream), shipmentDecider, client);
      const outcomes: ScanOutcome[] = [];
      const changes: ShipmentChange[] = [];
      // Each shipment as the batch found it: its tracking timer moves only if the batch brings the next rule earlier.
      const found = new Map<string, ShipmentState>();
      for (const line of lines) {
        const shipmentId = shipments.get(line.trackingNumber);
        const status = normaliseScanStatus(line.status);
        if (!shipmentId) {
          outcomes.push({ eventId: line.eventId, outcome: 'unknown_tracking_number' });
          continue;
        }
        if (!status) {
          outcomes.push({ eventId: line.eventId, outcome: 'unknown_status' });
          continue;
        }
        const scan: Scan = {
          eventId: line.eventId,
          status,
          carrierStatus: line.status,
          location: line.location,
          occurredAt: new Date(line.occurredAt).toISOString(),
          receivedAt,
          exceptionCode: line.exceptionCode ?? null,
          counted: line.counted ? line.counted.map(({ sku, quantity }) => ({ sku, quantity })) : null,
        };
        if (!found.has(shipmentId)) found.set(shipmentId, await this.load(shipmentId, client, session));
        // A scan is its own request: keyed by the carrier's event id, never by the batch's delivery.
        const result = await this.commands.handle(
          shipmentDecider,
          shipmentStream(shipmentId),
          origin,
          { type: 'RecordScan', data: { scan } },
          { tx: client, session, idempotencyKey: `scan:${origin.tenant}:${carrier}:${line.eventId}` },
        );
        if (result.newEvents.length > 0) {
          const state = visible(result.state, origin.tenant, shipmentId);
          changes.push({ state, events: result.newEvents, eventIds: result.eventIds, before: found.get(shipmentId) });
        }
        outcomes.push({
          eventId: line.eventId,
          outcome: result.newEvents.length > 0 ? 'recorded' : 'duplicate',
          shipmentId,
        });
      }
      await session.flush(this.commands.store, client);
      await this.follow(origin, client, policy, changes);
      return outcomes;
    };
    return tx ? go(tx) : inTransaction(this.database.pool, go);
  }

  /** Reads the shipments into `session` in one query (a transaction of tracking timers, before they fire). */
  async preloadShipments(shipmentIds: readonly string[], tx: PoolClient, session: StreamSession): Promise<void> {
    await session.preload(this.commands.store, shipmentIds.map(shipmentStream), shipmentDecider, tx);
  }

  /** The tenant's logistics policy, read in `tx`. */
  policyFor(tenant: string, tx: PoolClient): Promise<LogisticsPolicy> {
    return this.policies.forTenant(tenant, tx);
  }

  /** The shipment and its scan history, from one read of its stream. */
  async get(tenant: string, shipmentId: string): Promise<TrackedShipment> {
    const events = await this.commands.store.readStream(shipmentStream(shipmentId));
    const state = visible(fold(shipmentDecider, events), tenant, shipmentId);
    return { state, scans: scanHistory(events) };
  }

  async list(
    tenant: string,
    filter: { status?: ShipmentStatus; caseId?: string; limit: number },
  ): Promise<ShipmentSummary[]> {
    return this.index.list(tenant, filter);
  }

  /** The shipment of a return, of one purpose, in the caller's transaction. */
  async forReturn(tx: PoolClient, tenant: string, returnId: string, purpose: 'return' | 'replacement') {
    const id = await this.index.byReturn(tx, tenant, returnId, purpose);
    return id ? visible(await this.read(id, tx), tenant, id) : null;
  }

  /** `state` with its scan history, read in `tx` (no read for a shipment never scanned). */
  private async tracked(state: OpenShipment, tx: PoolClient): Promise<TrackedShipment> {
    if (state.tracking.scanIds.size === 0) return { state, scans: [] };
    const events = await this.commands.store.readStream(shipmentStream(state.shipment.shipmentId), 0, tx);
    return { state, scans: scanHistory(events) };
  }

  /** The shipment through a transaction's session: the command that follows finds it there instead of reading it. */
  private async load(shipmentId: string, tx: PoolClient, session: StreamSession): Promise<ShipmentState> {
    return (await session.load(this.commands.store, shipmentStream(shipmentId), shipmentDecider, tx)).state;
  }

  private async read(shipmentId: string, tx?: PoolClient): Promise<ShipmentState> {
    return fold(shipmentDecider, await this.commands.store.readStream(shipmentStream(shipmentId), 0, tx));
  }

  /**
   * One command and, when it appended anything, its consequences in the same transaction: the list, the tracking
   * timer of the new state, the notices its events ask for, the reshipment a lost parcel is given.
   */
  private async run(
    origin: CommandOrigin,
    shipmentId: string,
    request: CommandRequest<ShipmentCommand>,
    tx: PoolClient,
    policy: LogisticsPolicy,
    options: { readonly expectNewStream?: boolean; readonly session?: StreamSession } = {},
  ): Promise<{ readonly state: OpenShipment; readonly appended: readonly ShipmentEvent['type'][] }> {
    const result = await this.commands.handle(shipmentDecider, shipmentStream(shipmentId), origin, request, {
      tx,
      ...options,
    });
    const state = visible(result.state, origin.tenant, shipmentId);
    const events = result.newEvents;
    if (events.length > 0) await this.follow(origin, tx, policy, [{ state, events, eventIds: result.eventIds }]);
    return { state, appended: events.map((e) => e.type) };
  }

  /**
   * The consequences of a transaction's changes, in it: each changed shipment's list row and tracking timer (once per
   * shipment, for its state after the last change), the notices every change asks for, the reshipment a lost parcel
   * is given and the regional tally of stalled and lost ones.
   */
  private async follow(
    origin: CommandOrigin,
    tx: PoolClient,
    policy: LogisticsPolicy,
    changes: readonly ShipmentChange[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const latest = lastStates(changes);
    // The index holds what a list filters on: a batch of scans of parcels in transit leaves it as it found it, and
    // its rows are not even offered (an upsert that changes nothing still locks the row it conflicts with).
    await this.index.recordAll(
      tx,
      origin.tenant,
      [...latest.values()]
        .filter(({ state, before }) => !sameIndexEntry(before, state))
        .map(({ state }) => summaryOf(state)),
    );
    const timers = new TimerWrites();
    for (const { state, before } of latest.values()) {
      const rules = rulesOf(policy, state);
      if (before) writeTracking(timers, origin.tenant, state, rules, before);
      else rearmTracking(timers, origin.tenant, state, rules);
    }
    const now = this.commands.now();
    for (const { state, events, eventIds } of changes) {
      writeNotices(timers, noticesOf(origin.tenant, state, events, eventIds), now);
    }
    await timers.flush(tx);
    const signals: Signal[] = [];
    for (const { state, events, origin: own } of changes) {
      const by = own ?? origin;
      for (const event of events) {
        if (event.type === 'ReshipmentArranged') await this.reship(by, state, event.data, tx);
        if (event.type === 'ShipmentStalled')
          signals.push({ by, kind: 'stalled', shipment: event.data, at: event.data.stalledAt });
        if (event.type === 'ShipmentLost')
          signals.push({ by, kind: 'lost', shipment: event.data, at: event.data.lostAt });
      }
    }
    await this.signal(origin.tenant, tx, policy, signals);
  }

  /**
   * Stalled or lost shipments count towards their destination region's alarm: above the tenant's threshold within the
   * window, one `RegionalAlarmRaised` per tenant, region and window (its stream is named after them). A transaction's
   * signals (a burst of timers of stalled shipments) are recorded and counted in two statements whatever the window
   * holds (ADR 29); an alarm is raised by the command of the last of its region's signals, once: a window whose alarm
   * is raised only counts.
   */
  private async signal(tenant: string, tx: PoolClient, policy: LogisticsPolicy, signals: readonly Signal[]) {
    if (signals.length === 0) return;
    const { threshold, windowHours } = policy.regionalAlarm;
    const recorded = signals.map(({ by, kind, shipment, at }) => ({
      by,
      signal: {
        region: shipment.destinationRegion,
        window: alarmWindowOf(at, windowHours),
        shipmentId: shipment.shipmentId,
        kind,
        carrier: shipment.carrier,
        orderId: shipment.orderId,
        caseId: shipment.caseId,
      },
    }));
    const tallies = await this.signals.recordAll(
      tx,
      tenant,
      recorded.map((r) => r.signal),
    );
    const last = new Map(recorded.map((r) => [regionalTallyKey(r.signal.region, r.signal.window), r]));
    const raised: RegionalWindow[] = [];
    for (const [key, { by, signal }] of last) {
      const counted = tallies.get(key);
      // Raised already in this window: the signal only counts (the decider would refuse a second alarm anyway).
      if (!counted || counted.alarmRaised || counted.tally.shipments <= threshold) continue;
      const { region, window } = signal;
      const alarmId = deterministicUuid(`regional-alarm|${tenant}|${region}|${window.startedAt}`);
      await this.commands.handle(
        regionalAlarmDecider,
        regionalAlarmStream(alarmId),
        by,
        { type: 'RaiseRegionalAlarm', data: { alarmId, region, window, tally: counted.tally, threshold } },
        { tx },
      );
      raised.push({ region, window });
    }
    await this.signals.alarmsRaised(tx, tenant, raised);
  }

  /** The reshipment: the same goods to the same place for the same case, with the new carrier, awaiting its label. */
  private async reship(
    origin: CommandOrigin,
    lost: OpenShipment,
    arranged: { readonly reshipmentId: string; readonly carrier: string; readonly items: readonly Line[] },
    tx: PoolClient,
  ): Promise<void> {
    const s = lost.shipment;
    await this.register(
      origin,
      {
        shipmentId: arranged.reshipmentId,
        orderId: s.orderId,
        caseId: s.caseId,
        purpose: s.purpose,
        returnId: s.returnId,
        carrier: arranged.carrier,
        trackingNumber: null,
        originRegion: s.originRegion,
        destinationRegion: s.destinationRegion,
        flags: s.flags,
        packages: s.packages,
        items: arranged.items,
        goodsValue: s.goodsValue,
        shipBy: null,
        replaces: s.shipmentId,
      },
      tx,
    );
  }
}

/**
 * What a remedy needs besides the request: new ids, and a carrier for a reshipment — another one than the parcel's
 * (lost, damaged: that carrier failed) or the same one (a wrong item, an order change: the warehouse's doing).
 */
function remedyOf(policy: LogisticsPolicy, state: OpenShipment, carrier: 'another' | 'same'): Remedy {
  const current = state.shipment.carrier;
  const reshipCarrier =
    carrier === 'another'
      ? (policy.carriers.find((c) => c !== current) ?? null)
      : (current ?? policy.carriers[0] ?? null);
  return { reshipmentId: randomUUID(), reshipCarrier, claimId: randomUUID() };
}

/** Each changed shipment once: its state after the transaction's last change, and before its first. */
function lastStates(changes: readonly ShipmentChange[]) {
  const latest = new Map<string, { readonly state: OpenShipment; readonly before?: ShipmentState }>();
  for (const { state, before } of changes) {
    const id = state.shipment.shipmentId;
    latest.set(id, { state, before: latest.has(id) ? latest.get(id)?.before : before });
  }
  return latest;
}

/** The tracking rules of a shipment's carrier and lane. */
function rulesOf(policy: LogisticsPolicy, state: OpenShipment) {
  const { carrier, originRegion, destinationRegion } = state.shipment;
  return trackingRulesFor(policy, { carrier, originRegion, destinationRegion });
}

/** A tracking timer's command: the tenant's rules for the shipment's carrier and lane, and a remedy if it is lost. */
function trackingCheckOf(policy: LogisticsPolicy, state: OpenShipment): CommandRequest<ShipmentCommand> {
  const { purpose } = state.shipment;
  // A lost return parcel is the customer's goods coming back: nothing to reship, the claim and refund remain.
  const remedy = remedyOf(policy, state, 'another');
  const data = {
    rules: rulesOf(policy, state),
    ...remedy,
    reshipCarrier: purpose === 'return' ? null : remedy.reshipCarrier,
  };
  return { type: 'CheckTracking', data };
}

function completed(step: ShipmentStep, state: OpenShipment, policy: LogisticsPolicy): CommandRequest<ShipmentCommand> {
  switch (step.type) {
    case 'BookCarrier':
    case 'ConfirmLargeOrder':
    case 'CancelShipment':
      return step as CommandRequest<ShipmentCommand>;
    case 'UrgeShipping':
      return { type: step.type, data: { investigationId: randomUUID() } };
    case 'ChangeOrder': {
      const { reshipmentId, reshipCarrier } = remedyOf(policy, state, 'same');
      return {
        type: step.type,
        data: {
          ...step.data,
          reshipmentId,
          reshipCarrier,
        },
      };
    }
    case 'ReportWrongItem': {
      const data = step.data;
      return {
        type: step.type,
        data: { ...data, valuableGoodsMinor: policy.valuableGoodsMinor, remedy: remedyOf(policy, state, 'same') },
      };
    }
    case 'ReportTransitDamage': {
      const data = step.data;
      return { type: step.type, data: { ...data, remedy: remedyOf(policy, state, 'another') } };
    }
    default:
      return assertNever(step);
  }
}

function visible(state: ShipmentState, tenant: string, shipmentId: string): OpenShipment {
  if (state.status === 'none' || state.shipment.tenant !== tenant) throw new ShipmentNotFound(shipmentId);
  return state;
}

/** True when the index row of `before` is the one `state` would write (what `recordAll` would leave unchanged). */
function sameIndexEntry(before: ShipmentState | undefined, state: OpenShipment): boolean {
  return (
    before !== undefined &&
    before.status !== 'none' &&
    before.status === state.status &&
    before.shipment.carrier === state.shipment.carrier &&
    before.shipment.trackingNumber === state.shipment.trackingNumber
  );
}

function summaryOf(state: OpenShipment): ShipmentSummary {
  const s = state.shipment;
  return {
    shipmentId: s.shipmentId,
    caseId: s.caseId,
    returnId: s.returnId,
    orderId: s.orderId,
    purpose: s.purpose,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    destinationRegion: s.destinationRegion,
    status: state.status,
    registeredAt: s.registeredAt,
  };
}
