export * from './metrics';
export * from './logger';
export * from './telemetry';
