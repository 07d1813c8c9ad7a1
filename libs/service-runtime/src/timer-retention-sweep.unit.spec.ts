import { serviceConfigFromEnv } from './service-runtime';
import { DEFAULT_TIMER_RETENTION_DAYS, finishedBefore, timerRetentionMs } from './timer-retention-sweep';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'unit-test-secret-unit-test-secret-unit-test',
};

describe('timer retention: the horizon (ADR 28)', () => {
  it('is 30 days when TIMER_RETENTION_DAYS is unset or blank', () => {
    expect(DEFAULT_TIMER_RETENTION_DAYS).toBe(30);
    for (const env of [required, { ...required, TIMER_RETENTION_DAYS: ' ' }]) {
      expect(serviceConfigFromEnv('logistics', env).timerRetentionDays).toBe(30);
    }
    // 30 × 24 × 3,600,000 ms
    expect(timerRetentionMs(30)).toBe(2_592_000_000);
  });

  it('reads whole and fractional days; 0 turns the sweep off', () => {
    expect(serviceConfigFromEnv('logistics', { ...required, TIMER_RETENTION_DAYS: '90' }).timerRetentionDays).toBe(90);
    expect(serviceConfigFromEnv('logistics', { ...required, TIMER_RETENTION_DAYS: '0.5' }).timerRetentionDays).toBe(
      0.5,
    );
    expect(timerRetentionMs(0.5)).toBe(43_200_000);
    expect(serviceConfigFromEnv('logistics', { ...required, TIMER_RETENTION_DAYS: '0' }).timerRetentionDays).toBe(0);
    expect(timerRetentionMs(0)).toBeNull();
  });

  it.each(['-1', 'off', 'thirty'])('refuses TIMER_RETENTION_DAYS=%s at start, naming the variable', (value) => {
    expect(() => serviceConfigFromEnv('logistics', { ...required, TIMER_RETENTION_DAYS: value })).toThrow(
      `TIMER_RETENTION_DAYS=${value}`,
    );
  });

  it('refuses a negative or non-finite horizon given in code', () => {
    expect(() => timerRetentionMs(-1)).toThrow(RangeError);
    expect(() => timerRetentionMs(Number.NaN)).toThrow(RangeError);
  });

  it('lets go of what finished before now minus the horizon', () => {
    expect(finishedBefore(new Date('2026-12-31T00:00:00Z'), timerRetentionMs(30)!)).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });
});
