import { Type, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

/**
 * A string enumeration emitted as a plain JSON Schema `{ type: 'string', enum: [...] }` (rather
 * than TypeBox's `anyOf` of literals), which reads better in AsyncAPI and code generators.
 *
 * @example
 * ```ts
 * const Channel = StringEnum(['chat', 'phone'], { description: 'Customer channel.' });
 * type Channel = Static<typeof Channel>; // 'chat' | 'phone'
 * ```
 */
export function StringEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}
