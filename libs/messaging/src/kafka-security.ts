import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';

/** How a service authenticates to Kafka: TLS and SASL, as kafkajs takes them. Empty for a plaintext broker. */
export interface KafkaSecurity {
  /** `true`: TLS with the system's trusted CAs; options: TLS trusting the given CA (`KAFKA_SSL_CA_FILE`). */
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions;
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type Mechanism = (typeof MECHANISMS)[number];

/**
 * Reads the broker security from the environment (the Helm chart sets these from its Kafka secret):
 * - `KAFKA_SSL=true`: TLS to the brokers, trusting the system's CAs, or only the CA(s) of `KAFKA_SSL_CA_FILE` (a PEM
 *   file: a private CA, e.g. Strimzi's cluster CA). The broker's certificate and host name are always verified.
 * - `KAFKA_SASL_MECHANISM` (`plain`, `scram-sha-256`, `scram-sha-512`) with `KAFKA_SASL_USERNAME` and
 *   `KAFKA_SASL_PASSWORD`: SASL authentication; a mechanism without both credentials is refused at start.
 *
 * @example
 * kafkaSecurityFromEnv({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'intake', KAFKA_SASL_PASSWORD: 's3cret' });
 * // { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'intake', password: 's3cret' } }
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const flag = env.KAFKA_SSL?.trim();
  if (flag && flag !== 'true' && flag !== 'false') {
    throw new Error(`KAFKA_SSL=${flag}: expected true or false (e.g. KAFKA_SSL=true)`);
  }
  const ssl = sslOf(flag === 'true', env.KAFKA_SSL_CA_FILE?.trim());
  const tls = ssl === undefined ? {} : { ssl };
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!mechanism) return tls;
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new Error(
      `KAFKA_SASL_MECHANISM=${mechanism}: expected one of ${MECHANISMS.join(', ')} (e.g. KAFKA_SASL_MECHANISM=scram-sha-512)`,
    );
  }
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username || !password) {
    throw new Error(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
  }
  const sasl = { mechanism: mechanism as Mechanism, username, password } as SASLOptions;
  return { ...tls, sasl };
}

function sslOf(on: boolean, caFile: string | undefined): KafkaSecurity['ssl'] {
  if (!caFile) return on ? true : undefined;
  if (!on) throw new Error(`KAFKA_SSL_CA_FILE=${caFile} is set but KAFKA_SSL is not true: set KAFKA_SSL=true`);
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(`KAFKA_SSL_CA_FILE=${caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`KAFKA_SSL_CA_FILE=${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return { ca: [ca], rejectUnauthorized: true };
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Kafka refused who we are or we refused the broker's certificate: retrying cannot help, so a service fails at start
 * with this instead of retrying for minutes. The message names the settings to check, never the password.
 */
export class KafkaAccessRefused extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'KafkaAccessRefused';
  }
}

/**
 * The {@link KafkaAccessRefused} an error from kafkajs stands for, or `null` when it is something else (a broker away,
 * a timeout: worth retrying).
 */
export function kafkaAccessRefused(
  error: unknown,
  brokers: readonly string[],
  security: KafkaSecurity,
): KafkaAccessRefused | null {
  const e = error as { name?: string; message?: string; code?: string; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return null;
  const message = e.message ?? '';
  const at = brokers.join(',');
  if (e.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed/i.test(message)) {
    const who = security.sasl && 'username' in security.sasl ? security.sasl.username : '(none)';
    const mechanism = security.sasl?.mechanism ?? '(none)';
    return new KafkaAccessRefused(
      `Kafka at ${at} refused the credentials of KAFKA_SASL_USERNAME=${who} (KAFKA_SASL_MECHANISM=${mechanism}): ` +
        `check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD against the cluster's user (e.g. the Strimzi KafkaUser's secret). Kafka said: ${message}`,
      error,
    );
  }
  const code = e.code ?? /\b([A-Z_]{8,})\b/.exec(message)?.[1];
  if ((code && TLS_TRUST_CODES.has(code)) || /self[- ]signed certificate|certificate has expired/i.test(message)) {
    return new KafkaAccessRefused(
      `the TLS certificate of Kafka at ${at} is not trusted (${code ?? message}): set KAFKA_SSL_CA_FILE to the PEM of ` +
        `the cluster's CA (e.g. Strimzi's <cluster>-cluster-ca-cert), and connect by a name or address the certificate lists`,
      error,
    );
  }
  if (e.cause && e.cause !== error) return kafkaAccessRefused(e.cause, brokers, security);
  return null;
}
