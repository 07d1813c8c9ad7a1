/**
 * The compensation service's definition, for the repository's tooling (the OpenAPI generator, contract tests). Services never
 * import each other: they talk through events.
 */
export { compensationService } from './compensation.module';
