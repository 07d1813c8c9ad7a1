/**
 * The logistics service's definition, for the repository's tooling (the OpenAPI generator, contract tests). Services never
 * import each other: they talk through events.
 */
export { logisticsService } from './logistics.module';
/** The shipment decider and its tracking rules, for the repository's benchmarks (`npm run bench:shipment-fold`). */
export { nextTrackingCheck, shipmentDecider, type Scan, type ShipmentEvent } from './domain/shipment.decider';
export { defaultLogisticsPolicy } from './domain/tracking-policy';
export { registration } from './domain/testing/shipment.builder';
