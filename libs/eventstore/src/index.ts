export * from './types';
export * from './errors';
export * from './event-store';
export * from './decider';
export * from './subscription';
export * from './database';
export { EventStoreMigrations } from './migrations/1732500000000-create-event-store';
export * from './timers';
export * from './transaction';
