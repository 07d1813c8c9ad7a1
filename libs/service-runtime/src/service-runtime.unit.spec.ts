import { serviceConfigFromEnv } from './service-runtime';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'unit-test-secret-unit-test-secret-unit-test',
};

describe('serviceConfigFromEnv: database pool', () => {
  it('defaults to 10 connections, warmed at start (the runtime warms the pool size when DATABASE_POOL_WARM is unset)', () => {
    const config = serviceConfigFromEnv('surveys', required);
    expect(config.databasePoolSize).toBe(10);
    expect(config.databasePoolWarm).toBeUndefined();
  });

  it('reads DATABASE_POOL_SIZE and DATABASE_POOL_WARM (0 opens connections on demand)', () => {
    const config = serviceConfigFromEnv('surveys', { ...required, DATABASE_POOL_SIZE: '20', DATABASE_POOL_WARM: '0' });
    expect(config.databasePoolSize).toBe(20);
    expect(config.databasePoolWarm).toBe(0);
  });

  it.each([
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', 'ten'],
    ['DATABASE_POOL_WARM', '-1'],
    ['DATABASE_POOL_WARM', '2.5'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => serviceConfigFromEnv('surveys', { ...required, [name]: value })).toThrow(`${name}=${value}`);
  });
});

describe('serviceConfigFromEnv: SERVICE_ROLES', () => {
  it('runs every role when unset or empty', () => {
    for (const env of [required, { ...required, SERVICE_ROLES: ' ' }]) {
      expect([...(serviceConfigFromEnv('surveys', env).roles ?? [])].sort()).toEqual([
        'api',
        'consumers',
        'relay',
        'workers',
      ]);
    }
  });

  it('reads a comma-separated list, spaces and case forgiven', () => {
    const config = serviceConfigFromEnv('surveys', { ...required, SERVICE_ROLES: 'Workers, relay' });
    expect([...(config.roles ?? [])].sort()).toEqual(['relay', 'workers']);
  });

  it.each(['timers', 'api,web', ','])('refuses SERVICE_ROLES=%s, naming the roles there are', (value) => {
    expect(() => serviceConfigFromEnv('surveys', { ...required, SERVICE_ROLES: value })).toThrow(
      /SERVICE_ROLES=.*expected a comma-separated list of api, consumers, relay, workers/,
    );
  });
});

describe('serviceConfigFromEnv: KAFKA_CONSUMER_MAX_WAIT_MS', () => {
  it("defaults to Kafka's own fetch.max.wait.ms, 500 ms (100 ms polled a third more CPU idle, ADR 35)", () => {
    expect(serviceConfigFromEnv('surveys', required).consumerMaxWaitMs).toBe(500);
  });

  it('reads a positive whole number of milliseconds and refuses anything else', () => {
    expect(serviceConfigFromEnv('surveys', { ...required, KAFKA_CONSUMER_MAX_WAIT_MS: '250' }).consumerMaxWaitMs).toBe(
      250,
    );
    for (const value of ['0', '-1', '1.5', 'soon'])
      expect(() => serviceConfigFromEnv('surveys', { ...required, KAFKA_CONSUMER_MAX_WAIT_MS: value })).toThrow(
        `KAFKA_CONSUMER_MAX_WAIT_MS=${value}`,
      );
  });
});
