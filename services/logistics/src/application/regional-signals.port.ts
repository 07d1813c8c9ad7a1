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

/** DI token of the {@link RegionalSignals}. */
export const REGIONAL_SIGNALS = Symbol('REGIONAL_SIGNALS');

/** Stalled and lost shipments by tenant, region and window, kept in the transaction of the events. */
export interface RegionalSignals {
  /** Records a signal (once per shipment, kind and window) and answers the region's tally in that window. */
  record(tx: PoolClient, tenant: string, signal: RegionalSignal): Promise<RegionalTally>;
  /**
   * {@link record} for several signals at once (a transaction of stalled shipments): recorded in one statement, and the
   * tally of each region and window they fall in, after all of them, counted in one query; keyed by
   * {@link regionalTallyKey}.
   */
  recordAll(tx: PoolClient, tenant: string, signals: readonly RegionalSignal[]): Promise<Map<string, RegionalTally>>;
}

/** The key of a region's tally in a window, as {@link RegionalSignals.recordAll} answers it. */
export const regionalTallyKey = (region: string, window: AlarmWindow) => `${region}|${window.startedAt}`;
