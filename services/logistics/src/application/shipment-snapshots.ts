import { GrowingSet } from '@aftersales/domain';
import { StreamSession, type FoldSnapshots } from '@aftersales/eventstore';
import { shipmentDecider, type ShipmentState } from '../domain/shipment.decider';

/**
 * Shipments' folds persisted every `every` events (ADR 37): a batch of carrier scans or of
 * tracking timers reads each shipment's newest snapshot and the few events after it instead of its whole history.
 * Every 4 rather than 8: a batch reads about half an interval of events per shipment, and reading them costs more
 * than writing a snapshot a little more often (ADR 37's amendment). The interval is not part of the shape.
 *
 * The name carries the fold's shape version: **bump it whenever `shipmentDecider.evolve` or the state's shape
 * changes** (`shipment-snapshots.unit.spec.ts` fails until it is), so no snapshot of an older fold is ever read.
 */
export const shipmentSnapshots: FoldSnapshots<ShipmentState> = {
  name: 'shipment@1',
  folding: shipmentDecider,
  every: 4,
  // Plain data but for the scan ids, a GrowingSet: JSON writes it as its array.
  encode: (state) => state,
  decode: (encoded) => {
    const state = encoded as ShipmentState;
    if (state.status === 'none') return state;
    const scanIds = state.tracking.scanIds as unknown as readonly string[];
    return { ...state, tracking: { ...state.tracking, scanIds: GrowingSet.of(scanIds) } };
  },
};

/** A transaction's session over shipments, reading and writing their snapshots. */
export function shipmentSession(options: { readonly deferAppends?: boolean } = {}): StreamSession {
  return new StreamSession({ ...options, snapshots: [shipmentSnapshots as FoldSnapshots<never>] });
}
