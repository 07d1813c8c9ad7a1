export * from './dead-letters';
export * from './events-tail';
export * from './cluster';
export * from './audit';
export { kafkaOf } from './kafka';
export { runOps, type OpsIo } from './run-ops';
export * from './privacy';
export * from './projections';
