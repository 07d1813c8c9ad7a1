import { Type, type ArrayOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * Small TypeBox helpers for the response schemas of the HTTP APIs (the views): the controllers return `Static` types
 * of these schemas, and the OpenAPI documents show them.
 */

/** An array whose static type is readonly, as views hand out their state's readonly arrays without copying them. */
export function ReadonlyList<S extends TSchema>(
  items: S,
  options: ArrayOptions = {},
): TUnsafe<ReadonlyArray<Static<S>>> {
  return Type.Unsafe<ReadonlyArray<Static<S>>>(Type.Array(items, options));
}

/** `schema` or `null`. */
export function Nullable<S extends TSchema>(schema: S, options: { description?: string } = {}) {
  return Type.Union([schema, Type.Null()], options);
}

/** An ISO 8601 date-time string (`2026-01-31T12:00:00.000Z`). */
export function DateTime(options: { description?: string } = {}) {
  return Type.String({ format: 'date-time', ...options });
}
