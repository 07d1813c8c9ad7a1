export * from './auth';
export * from './problem-details';
export * from './validation';
export * from './platform.module';
export * from './origin';
export * from './api-schema';
export * from './route-table';
export * from './openapi';
