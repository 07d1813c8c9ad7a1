export * from './dead-letters';
export { runOps, type OpsIo } from './run-ops';
