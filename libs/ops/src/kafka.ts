import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { kafkaSecurityFromEnv } from '@aftersales/messaging';

/** A kafkajs client for ops commands, with the services' TLS/SASL settings (`KAFKA_SSL`, `KAFKA_SASL_*`). */
export function kafkaOf(brokers: readonly string[], env: NodeJS.ProcessEnv = process.env): Kafka {
  return new Kafka({
    clientId: 'aftersales-ops',
    brokers: [...brokers],
    logLevel: logLevel.ERROR,
    retry: { retries: 5 },
    ...kafkaSecurityFromEnv(env),
  });
}

/** A header's value as text. */
export function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

/** Every header as text. */
export function headersOf(raw: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw ?? {}).flatMap(([name, v]) => {
      const t = headerText(v);
      return t === undefined ? [] : [[name, t] as const];
    }),
  );
}

/** The platform's event topics: `aftersales.<service>.events`. */
export const EVENT_TOPIC = /^aftersales\.[a-z0-9-]+\.events$/;
