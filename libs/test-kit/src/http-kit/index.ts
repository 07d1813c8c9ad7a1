export { describeHttpKit, kitSeed, type HttpKitOptions, type SeedContext, type SeedResult } from './http-kit';
export { startServiceUnderTest, type ServiceUnderTest } from './service-under-test';
export { TokenIssuer, type TokenOptions } from './token-issuer';
export { validValue, type JsonSchema } from './schema-arbitrary';
export { responseProblem, type KitResponse } from './responses';
