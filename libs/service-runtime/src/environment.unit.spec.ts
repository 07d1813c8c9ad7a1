import { checkEnvironment, ENVIRONMENT, problemWith } from './environment';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'secret',
};

describe('checkEnvironment', () => {
  it('accepts a complete environment', () => {
    expect(() => checkEnvironment('surveys', base)).not.toThrow();
    expect(() =>
      checkEnvironment('intake', { ...base, PRIVACY_MASTER_KEY: 'YWZ0ZXJzYWxlcy1sb2NhbC1kZXYtb25seS1rZXktMzI=' }),
    ).not.toThrow();
  });

  it("lists every problem at once, each with an example, never repeating a secret's value", () => {
    let message = '';
    try {
      checkEnvironment('intake', {
        DATABASE_URL: 'mysql://db/x',
        KAFKA_BROKERS: 'kafka',
        KAFKA_SSL: 'yes',
        KAFKA_PARTITIONS: '0',
        KAFKA_SASL_PASSWORD: 's3cret',
        INTAKE_TIMER_POLL_MS: 'soon',
        LOG_LEVEL: 'loud',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('intake cannot start, its environment is invalid (docs/environment.md):');
    expect(message).toContain(
      'DATABASE_URL=mysql://db/x: expected a postgres: or postgresql: URL (e.g. DATABASE_URL=postgres://',
    );
    expect(message).toContain(
      'KAFKA_BROKERS=kafka: expected host:port[,host:port…] (e.g. KAFKA_BROKERS=kafka-0.kafka:9093',
    );
    expect(message).toContain('KAFKA_SSL=yes: expected true or false (e.g. KAFKA_SSL=true)');
    expect(message).toContain('KAFKA_PARTITIONS=0: expected at least 1 (e.g. KAFKA_PARTITIONS=12)');
    expect(message).toContain('INTAKE_TIMER_POLL_MS=soon: expected a number (e.g. INTAKE_TIMER_POLL_MS=250)');
    expect(message).toContain('LOG_LEVEL=loud: expected one of fatal, error, warn');
    expect(message).toContain('PRIVACY_MASTER_KEY is not set');
    expect(message).not.toContain('s3cret');
  });

  it("checks only the service's own variables", () => {
    expect(() => checkEnvironment('surveys', { ...base, INTAKE_TIMER_POLL_MS: 'soon' })).not.toThrow();
    expect(() => checkEnvironment('intake', { ...base, INTAKE_TIMER_POLL_MS: 'soon' })).toThrow(/INTAKE_TIMER_POLL_MS/);
  });

  it('has a valid example for every variable (the examples in the errors and docs hold)', () => {
    const checkable = ENVIRONMENT.filter((v) => !v.example.startsWith('('));
    for (const v of checkable) expect([v.name, problemWith(v, v.example)]).toEqual([v.name, null]);
  });
});
