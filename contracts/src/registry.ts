import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EventCatalogue, type CatalogueEvent, type CatalogueEventType, type ContractOf } from './catalogue';
import { parseCeType } from './define-event';

/** Why {@link validateEvent} rejected an event. */
export type EventValidationErrorCode = 'UNKNOWN_TYPE' | 'UNKNOWN_VERSION' | 'SCHEMA_VIOLATION';

/** One schema violation: JSON Pointer into the payload (`''` = the payload itself) and message. */
export interface SchemaViolation {
  path: string;
  message: string;
}

/** Result of {@link validateEvent}. */
export type EventValidationResult =
  | { ok: true; contract: CatalogueEvent }
  | { ok: false; code: EventValidationErrorCode; message: string; errors?: SchemaViolation[] };

const contractsByType = new Map<string, CatalogueEvent>(EventCatalogue.map((contract) => [contract.type, contract]));

/**
 * The contract of a `ce_type`, or `undefined` when no contract has that exact type.
 *
 * @example
 * ```ts
 * findEventContract('aftersales.intake.case-opened.v1')?.topic; // 'aftersales.intake.events'
 * findEventContract('aftersales.intake.case-opened.v9'); // undefined
 * ```
 */
export function findEventContract<T extends CatalogueEventType>(ceType: T): ContractOf<T>;
export function findEventContract(ceType: string): CatalogueEvent | undefined;
export function findEventContract(ceType: string): CatalogueEvent | undefined {
  return contractsByType.get(ceType);
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

/** The compiled validator of a contract (compiled on first use, then cached). */
function validatorOf(contract: CatalogueEvent): ValidateFunction {
  let validate = validators.get(contract.type);
  if (!validate) {
    validate = ajv.compile(contract.schema);
    validators.set(contract.type, validate);
  }
  return validate;
}

function toViolation(error: ErrorObject): SchemaViolation {
  const missing: unknown = error.keyword === 'required' ? error.params['missingProperty'] : undefined;
  const path = typeof missing === 'string' ? `${error.instancePath}/${missing}` : error.instancePath;
  const allowed: unknown = error.keyword === 'enum' ? error.params['allowedValues'] : undefined;
  const message = Array.isArray(allowed)
    ? `must be one of: ${allowed.map((value) => JSON.stringify(value)).join(', ')}`
    : (error.message ?? error.keyword);
  return { path, message };
}

/**
 * Validates an event payload against the contract of its `ce_type`. Does not modify `data`.
 *
 * - `UNKNOWN_TYPE`: no contract for that service + event name (or a malformed `ce_type`);
 * - `UNKNOWN_VERSION`: the event is known, but not in that version;
 * - `SCHEMA_VIOLATION`: the payload does not match the schema; `errors` lists every violation.
 *
 * Payloads may carry properties the contract does not (yet) know: they are accepted.
 *
 * @example
 * ```ts
 * const result = validateEvent(ceType, JSON.parse(message.value.toString()));
 * if (!result.ok) return deadLetter(result.code, result.message);
 * handle(result.contract, data);
 * ```
 */
export function validateEvent(ceType: string, data: unknown): EventValidationResult {
  const contract = findEventContract(ceType);
  if (!contract) {
    const parsed = parseCeType(ceType);
    const sameEvent = parsed
      ? EventCatalogue.filter((known) => known.service === parsed.service && known.name === parsed.name)
      : [];
    if (sameEvent.length > 0) {
      const versions = sameEvent.map((known) => `v${known.version}`).join(', ');
      return {
        ok: false,
        code: 'UNKNOWN_VERSION',
        message: `Unknown version of event type "${ceType}" (known: ${versions})`,
      };
    }
    return { ok: false, code: 'UNKNOWN_TYPE', message: `Unknown event type "${ceType}"` };
  }
  const validate = validatorOf(contract);
  if (validate(data)) return { ok: true, contract };
  const errors = (validate.errors ?? []).map(toViolation);
  const details = errors.map((error) => `${error.path || '(payload)'} ${error.message}`).join('; ');
  return {
    ok: false,
    code: 'SCHEMA_VIOLATION',
    message: `Payload does not match ${contract.type}: ${details}`,
    errors,
  };
}
