import type { SASLOptions } from 'kafkajs';

/** How a service authenticates to Kafka: TLS and SASL, as kafkajs takes them. Empty for a plaintext broker. */
export interface KafkaSecurity {
  readonly ssl?: boolean;
  readonly sasl?: SASLOptions;
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type Mechanism = (typeof MECHANISMS)[number];

/**
 * Reads the broker security from the environment (the Helm chart sets these from its Kafka secret):
 * - `KAFKA_SSL=true`: TLS to the brokers (the system's trusted CAs).
 * - `KAFKA_SASL_MECHANISM` (`plain`, `scram-sha-256`, `scram-sha-512`) with `KAFKA_SASL_USERNAME` and
 *   `KAFKA_SASL_PASSWORD`: SASL authentication; a mechanism without both credentials is refused at start.
 *
 * @example
 * kafkaSecurityFromEnv({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'intake', KAFKA_SASL_PASSWORD: 's3cret' });
 * // { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'intake', password: 's3cret' } }
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const ssl = env.KAFKA_SSL?.trim();
  if (ssl && ssl !== 'true' && ssl !== 'false') throw new Error(`KAFKA_SSL=${ssl}: expected true or false`);
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!mechanism) return ssl === 'true' ? { ssl: true } : {};
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new Error(`KAFKA_SASL_MECHANISM=${mechanism}: expected one of ${MECHANISMS.join(', ')}`);
  }
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username || !password) {
    throw new Error(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
  }
  const sasl = { mechanism: mechanism as Mechanism, username, password } as SASLOptions;
  return { ...(ssl === 'true' ? { ssl: true } : {}), sasl };
}
