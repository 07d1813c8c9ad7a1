/**
 * The platform services that own an event stream (and therefore a Kafka topic).
 *
 * The order is stable and is the order used in generated documentation.
 *
 * @example
 * ```ts
 * import { Services } from '@aftersales/contracts';
 * for (const service of Services) console.log(service); // 'intake', 'returns', …
 * ```
 */
export const Services = ['intake', 'returns', 'logistics', 'compensation', 'incidents', 'surveys'] as const;

/** Name of a platform service, e.g. `'intake'`. */
export type Service = (typeof Services)[number];

/**
 * Type guard for {@link Service}.
 *
 * @example
 * ```ts
 * isService('intake'); // true
 * isService('billing'); // false
 * ```
 */
export function isService(value: string): value is Service {
  return (Services as readonly string[]).includes(value);
}
