import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationProblem, type FieldError } from './problem-details';

const ajv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false }));

function fieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra =
      e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    const pointer = `${e.instancePath}${missing}${extra}` || '/';
    const detail =
      e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'additionalProperties'
          ? 'is not allowed'
          : (e.message ?? 'is invalid');
    return { pointer, detail };
  });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (a lone surrogate is not)';
  return undefined;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Text no store of the platform can keep: NUL characters and lone surrogates (Postgres refuses both in `text` and
 * `jsonb`). JSON allows them (`"\u0000"`, `"\ud800"`), so every string and key of a request is checked here, once,
 * for every service, instead of failing deep in a transaction as a 500.
 */
function unstorableText(root: unknown): FieldError[] {
  const problems: FieldError[] = [];
  // Iterative, not recursive: a request may nest thousands of levels deep.
  const pending: Array<[unknown, string]> = [[root, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, pointer] = next;
    if (typeof value === 'string') {
      const detail = textProblem(value);
      if (detail) problems.push({ pointer: pointer || '/', detail });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => pending.push([v, `${pointer}/${i}`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const at = `${pointer}/${escapePointer(key)}`;
        const detail = textProblem(key);
        if (detail) problems.push({ pointer: at, detail: `name ${detail}` });
        pending.push([v, at]);
      }
    }
  }
  return problems;
}

/**
 * Validates a request body (or query) against a TypeBox schema, and refuses text no store can keep (NUL, lone
 * surrogates); 400 problem details with field errors otherwise.
 *
 * Also for one path or query parameter: `@Param('customerId', new SchemaPipe(Type.String({ maxLength: 64 })))`.
 *
 * @example
 * ```ts
 * @Post() open(@Body(new SchemaPipe(OpenCaseRequest)) body: Static<typeof OpenCaseRequest>) { … }
 * ```
 */
@Injectable()
export class SchemaPipe<S extends TSchema> implements PipeTransform<unknown, Static<S>> {
  private readonly validate: ValidateFunction;

  /** `schema` is public: the route table documents the body, query or parameter with it (OpenAPI). */
  constructor(readonly schema: S) {
    this.validate = ajv.compile(schema);
  }

  transform(value: unknown, metadata?: ArgumentMetadata): Static<S> {
    const valid = this.validate(value);
    const problems = [...(valid ? [] : fieldErrors(this.validate.errors)), ...unstorableText(value)];
    if (problems.length === 0) return value as Static<S>;
    // One named path or query parameter (`@Param('customerId', pipe)`): its pointers start at its name.
    const name = metadata?.type !== 'body' && typeof metadata?.data === 'string' ? metadata.data : undefined;
    if (!name) throw new ValidationProblem(problems);
    const at = `/${escapePointer(name)}`;
    throw new ValidationProblem(
      problems.map((p) => ({ ...p, pointer: p.pointer === '/' ? at : `${at}${p.pointer}` })),
      `The ${metadata?.type === 'param' ? 'path' : 'query'} parameter ${name} is invalid`,
    );
  }
}
