import type { PoolClient } from 'pg';
import type { AlarmWindow, RegionalTally } from '../domain/regional-alarm';

/** A shipment that stalled or got lost in a region: what regional alarms count. */
export interface RegionalSignal {
  readonly region: string;
  readonly window: AlarmWindow;
  readonly shipmentId: string;
  readonly kind: 'stalled' | 'lost';
  readonly carrier: string;
  readonly orderId: string;
  readonly caseId: string | null;
}

/** A region's window as counted after a transaction's signals, and whether its alarm was raised already. */
export interface RegionalWindowTally {
  readonly tally: RegionalTally;
  readonly alarmRaised: boolean;
}

/** A region's alarm window: what a tally counts. */
export interface RegionalWindow {
  readonly region: string;
  readonly window: AlarmWindow;
}

/** DI token of the {@link RegionalSignals}. */
export const REGIONAL_SIGNALS = Symbol('REGIONAL_SIGNALS');

/**
 * Stalled and lost shipments by tenant, region and window, kept in the transaction of the events, with each window's
 * tally kept as counters (ADR 29): a transaction's signals cost the same however many the window holds.
 */
export interface RegionalSignals {
  /**
   * Records a transaction's signals (once per shipment, kind and window) and answers the tally of each region and
   * window they fall in, after all of them, keyed by {@link regionalTallyKey}. Exact under concurrency: the windows'
   * tallies stay locked until the caller's transaction ends, so another transaction counting the same window waits
   * for it and counts after it.
   */
  recordAll(
    tx: PoolClient,
    tenant: string,
    signals: readonly RegionalSignal[],
  ): Promise<Map<string, RegionalWindowTally>>;
  /** Notes, in the transaction that raised them, that these windows' alarms are raised: later signals only count. */
  alarmsRaised(tx: PoolClient, tenant: string, windows: readonly RegionalWindow[]): Promise<void>;
}

/** The key of a region's tally in a window, as {@link RegionalSignals.recordAll} answers it. */
export const regionalTallyKey = (region: string, window: Pick<AlarmWindow, 'startedAt'>) =>
  `${region}|${window.startedAt}`;

/** The case ids a tally carries at most (the alarm names them for incidents; the rest are in the signals). */
export const TALLY_CASE_IDS = 500;
