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
}
