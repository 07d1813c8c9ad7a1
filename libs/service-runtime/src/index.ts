export * from './service-runtime';
export * from './durable-timer-worker';
export * from './env';
export * from './environment';
export * from './timer-retention-sweep';
