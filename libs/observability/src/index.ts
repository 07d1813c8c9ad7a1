export * from './metrics';
export * from './exemplars';
export * from './logger';
export * from './telemetry';
