import { Injectable, type PipeTransform } from '@nestjs/common';
import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationProblem, type FieldError } from './problem-details';

const ajv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false }));

function fieldErrors(errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    const pointer = `${e.instancePath}${missing}${extra}` || '/';
    const detail =
      e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not allowed' : (e.message ?? 'is invalid');
    return { pointer, detail };
  });
}

/**
 * Validates a request body against a TypeBox schema; 400 problem details with field errors otherwise.
 *
 * @example
 * ```ts
 * @Post() open(@Body(new SchemaPipe(OpenCaseRequest)) body: Static<typeof OpenCaseRequest>) { … }
 * ```
 */
@Injectable()
export class SchemaPipe<S extends TSchema> implements PipeTransform<unknown, Static<S>> {
  private readonly validate: ValidateFunction;

  constructor(schema: S) {
    this.validate = ajv.compile(schema);
  }

  transform(value: unknown): Static<S> {
    if (!this.validate(value)) throw new ValidationProblem(fieldErrors(this.validate.errors));
    return value as Static<S>;
  }
}
