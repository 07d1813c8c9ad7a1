import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaAccessRefused, kafkaAccessRefused, kafkaSecurityFromEnv } from './kafka-security';

describe('kafkaSecurityFromEnv', () => {
  it('is plaintext when nothing is set', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it('turns TLS on with KAFKA_SSL=true', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'false' })).toEqual({});
  });

  it('authenticates with SASL SCRAM over TLS', () => {
    expect(
      kafkaSecurityFromEnv({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'intake',
        KAFKA_SASL_PASSWORD: 's3cret',
      }),
    ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'intake', password: 's3cret' } });
  });

  it('refuses a mechanism without credentials, an unknown mechanism and a malformed KAFKA_SSL', () => {
    expect(() => kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(
      /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    expect(() =>
      kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toThrow(/expected one of plain, scram-sha-256, scram-sha-512/);
    expect(() => kafkaSecurityFromEnv({ KAFKA_SSL: 'yes' })).toThrow(/expected true or false/);
  });
});

describe('KAFKA_SSL_CA_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pem);
  writeFileSync(join(dir, 'not.pem'), 'hello');

  it('trusts only that CA, verifying the broker', () => {
    expect(kafkaSecurityFromEnv({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile })).toEqual({
      ssl: { ca: [pem], rejectUnauthorized: true },
    });
  });

  it('refuses a CA without TLS, an unreadable file and a file without a certificate', () => {
    expect(() => kafkaSecurityFromEnv({ KAFKA_SSL_CA_FILE: caFile })).toThrow(
      /KAFKA_SSL is not true: set KAFKA_SSL=true/,
    );
    expect(() => kafkaSecurityFromEnv({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'none.pem') })).toThrow(
      /cannot be read \(ENOENT\)/,
    );
    expect(() => kafkaSecurityFromEnv({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'not.pem') })).toThrow(
      /holds no PEM certificate/,
    );
  });
});

describe('kafkaAccessRefused', () => {
  const security = kafkaSecurityFromEnv({
    KAFKA_SSL: 'true',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'intake',
    KAFKA_SASL_PASSWORD: 'p4ss',
  });

  it('names the user and what to check for a refused login, never the password', () => {
    const sasl = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const refused = kafkaAccessRefused(sasl, ['k:9093'], security);
    expect(refused).toBeInstanceOf(KafkaAccessRefused);
    expect(refused?.message).toMatch(
      /Kafka at k:9093 refused the credentials of KAFKA_SASL_USERNAME=intake \(KAFKA_SASL_MECHANISM=scram-sha-512\)/,
    );
    expect(refused?.message).not.toContain('p4ss');
  });

  it('says to set KAFKA_SSL_CA_FILE for an untrusted certificate, also behind a retry wrapper', () => {
    const tls = Object.assign(new Error('Connection error: self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const wrapped = new Error('Connection error: self-signed certificate in certificate chain', { cause: tls });
    expect(kafkaAccessRefused(wrapped, ['k:9093'], security)?.message).toMatch(
      /is not trusted .*set KAFKA_SSL_CA_FILE/,
    );
  });

  it('leaves other failures to the retries', () => {
    expect(kafkaAccessRefused(new Error('Connection timeout'), ['k:9093'], security)).toBeNull();
    expect(kafkaAccessRefused(undefined, ['k:9093'], security)).toBeNull();
  });
});
