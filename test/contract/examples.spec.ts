import { EventCatalogue, validateEvent, type AnyEventContract } from '@aftersales/contracts';

// CONTEXT: the schema `examples` are what integrators see first (AsyncAPI message examples, generated docs), so every
// published contract carries at least one, and each one is a payload a consumer would actually accept.

/** The `examples` of a contract's schema; `[]` when it has none. */
function examplesOf(contract: AnyEventContract): unknown[] {
  const examples: unknown = contract.schema.examples;
  return Array.isArray(examples) ? examples : [];
}

const contracts = EventCatalogue.map((contract) => [contract.type, contract] as const);
const examples = EventCatalogue.flatMap((contract) =>
  examplesOf(contract).map((example, index) => [`${contract.type} #${index + 1}`, contract, example] as const),
);

describe('event contract examples', () => {
  it.each(contracts)('%s has a title, a description and at least one example', (_type, contract) => {
    expect(contract.schema.title).toEqual(expect.stringMatching(/\S/));
    expect(contract.schema.description).toEqual(expect.stringMatching(/\S/));
    expect(examplesOf(contract).length).toBeGreaterThanOrEqual(1);
  });

  it.each(examples)('%s validates against its contract', (_name, contract, example) => {
    expect(validateEvent(contract.type, example)).toEqual({ ok: true, contract });
  });

  it.each(examples)('%s names its tenant', (_name, _contract, example) => {
    expect(example).toEqual(expect.objectContaining({ tenantId: expect.stringMatching(/\S/) }));
  });
});
