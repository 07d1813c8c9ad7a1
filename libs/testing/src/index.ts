export {
  resolveInfrastructure,
  findDockerEngine,
  waitForKafka,
  runKafkaScript,
  assertPostgresAnswers,
  redactUrl,
  LOCAL_DATABASE_URL,
  LOCAL_KAFKA_SCRIPT,
  KAFKA_IMAGE,
  POSTGRES_IMAGE,
  REPO_ROOT,
  type Infrastructure,
  type InfrastructureSource,
  type ResolveInfrastructureOptions,
} from './infrastructure';
export { createTestDatabase, databaseUrl, DROP_APPLICATION_NAME, uniqueName, type TestDatabase } from './databases';
export {
  kafkaBrokers,
  exactlyOnceProducer,
  readTopicWithKcat,
  parseKcatJson,
  waitForConsumerGroups,
  type KcatMessage,
  type ReadTopicOptions,
} from './kafka';
export { startSaslSslKafka, type SaslSslKafka } from './secure-kafka';
export { TestContextManager } from './trace-context';
