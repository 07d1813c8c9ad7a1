export * from './topic-creation';
