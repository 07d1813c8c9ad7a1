import { Type } from '@sinclair/typebox';
import {
  CaseOpenedV1,
  ComplaintCategories,
  complaintPartitionKey,
  ComplaintRegisteredV1,
  defineEvent,
  EventCatalogue,
  eventKey,
  eventSubject,
  type AnyEventContract,
  type ComplaintCategory,
  type EventData,
} from '@aftersales/contracts';
import { buildAsyncApiDocument } from '../../contracts/scripts/asyncapi-document';

/** The first `examples` payload of a contract's schema. */
function exampleOf<C extends AnyEventContract>(contract: C): EventData<C> {
  const examples = contract.schema.examples as unknown;
  if (!Array.isArray(examples) || examples.length === 0) throw new Error(`${contract.type} has no example`);
  return examples[0] as EventData<C>;
}

const complaintId = '2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f';
const otherCategories = ComplaintCategories.filter((c) => c !== 'product-quality');

describe('complaintPartitionKey', () => {
  it('keys product-quality complaints by tenant and SKU when the batch is unknown, trimmed and upper-cased', () => {
    expect(
      complaintPartitionKey({ tenantId: 'acme', complaintId, category: 'product-quality', productSku: ' pb-20000 ' }),
    ).toBe('acme|sku:PB-20000');
    expect(
      complaintPartitionKey({
        tenantId: 'acme',
        complaintId,
        category: 'product-quality',
        productSku: 'PB-20000',
        batch: ' ',
      }),
    ).toBe('acme|sku:PB-20000');
  });

  it('keys product-quality complaints by SKU and batch (the unit incidents are detected on), ignoring the region', () => {
    const base = exampleOf(ComplaintRegisteredV1);
    expect(base.category).toBe('product-quality');
    const sameBatch = [
      { ...base, batch: 'B-2025-07', region: 'east-china' },
      { ...base, batch: ' b-2025-07 ', region: 'north' },
      { ...base, complaintId: '9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e', productSku: 'Pb-20000', batch: 'B-2025-07' },
    ].map((complaint) => complaintPartitionKey(complaint));
    expect(new Set(sameBatch)).toEqual(new Set([`${base.tenantId}|sku:PB-20000|batch:B-2025-07`]));
    // Other batches of the same product are other clusters: other keys, so they spread over the partitions.
    expect(complaintPartitionKey({ ...base, batch: 'B-2025-08' })).toBe(
      `${base.tenantId}|sku:PB-20000|batch:B-2025-08`,
    );
  });

  it.each(otherCategories)('keys %s complaints by tenant and region, trimmed and upper-cased', (category) => {
    expect(
      complaintPartitionKey({
        tenantId: 'acme',
        complaintId,
        category,
        productSku: 'PB-20000',
        region: '  east-china ',
      }),
    ).toBe('acme|region:EAST-CHINA');
  });

  it.each<[string, ComplaintCategory, { productSku?: string; region?: string }]>([
    ['product-quality without SKU', 'product-quality', {}],
    [
      'product-quality without SKU, with a region (the region does not stand in)',
      'product-quality',
      { region: 'east' },
    ],
    [
      'product-quality with a blank SKU (the region does not stand in)',
      'product-quality',
      { productSku: '   ', region: 'east' },
    ],
    ...otherCategories.map((category): [string, ComplaintCategory, { productSku?: string; region?: string }] => [
      `${category} without region (the SKU does not stand in)`,
      category,
      { productSku: 'PB-20000' },
    ]),
    ...otherCategories.map((category): [string, ComplaintCategory, { productSku?: string; region?: string }] => [
      `${category} with a blank region`,
      category,
      { region: ' \t ' },
    ]),
  ])('keys a complaint by its own id when the part is missing: %s', (_name, category, parts) => {
    expect(complaintPartitionKey({ tenantId: 'acme', complaintId, category, ...parts })).toBe(
      `acme|complaint:${complaintId}`,
    );
  });

  it('keeps tenants apart', () => {
    const about = { complaintId, category: 'product-quality', productSku: 'PB-20000' } as const;
    expect(complaintPartitionKey({ ...about, tenantId: 'acme' })).not.toBe(
      complaintPartitionKey({ ...about, tenantId: 'globex' }),
    );
  });
});

describe('eventKey', () => {
  it('is the subject (aggregate id) for a contract without partitionKey', () => {
    const example = exampleOf(CaseOpenedV1);
    expect(CaseOpenedV1.partitionKey).toBeUndefined();
    expect(eventKey(CaseOpenedV1, example)).toBe(example.caseId);
    expect(eventKey(CaseOpenedV1, example)).toBe(eventSubject(CaseOpenedV1, example));
  });

  it('is the partition key for ComplaintRegistered v1, not its subject', () => {
    const example = exampleOf(ComplaintRegisteredV1);
    expect(eventKey(ComplaintRegisteredV1, example)).toBe('acme|sku:PB-20000|batch:B-2025-07');
    expect(eventKey(ComplaintRegisteredV1, example)).toBe(complaintPartitionKey(example));
    expect(eventKey(ComplaintRegisteredV1, example)).not.toBe(eventSubject(ComplaintRegisteredV1, example));
    const regional = { ...example, category: 'special-scenario' as const, region: 'east-china' };
    expect(eventKey(ComplaintRegisteredV1, regional)).toBe('acme|region:EAST-CHINA');
  });

  it.each(EventCatalogue.map((contract) => [contract.type, contract] as const))(
    '%s: no partitionKey, or one with a description and a non-empty key for its example',
    (_type, contract: AnyEventContract) => {
      if (!contract.partitionKey) {
        expect(Object.keys(contract)).not.toContain('partitionKey');
        return;
      }
      expect(contract.partitionKey.description.trim()).not.toBe('');
      expect(eventKey(contract, exampleOf(contract))).toMatch(/\S/);
    },
  );

  it('defineEvent refuses a partitionKey without a description', () => {
    const declare = (description: string) => () =>
      defineEvent({
        service: 'intake',
        name: 'thing-happened',
        version: 1,
        summary: 'A thing happened.',
        subject: 'thingId',
        partitionKey: { description, of: (data) => data.group },
        schema: Type.Object(
          { thingId: Type.String(), group: Type.String() },
          { $id: 'aftersales.intake.thing-happened.v1' },
        ),
      });
    expect(declare('  ')).toThrow(/partitionKey needs a description/);
    const contract = declare('The group of the thing.')();
    expect(eventKey(contract, { thingId: 't-1', group: 'g-1' })).toBe('g-1');
    expect(eventSubject(contract, { thingId: 't-1', group: 'g-1' })).toBe('t-1');
  });
});

describe('AsyncAPI Kafka key bindings', () => {
  type Message = {
    bindings: { kafka: { key: { type: string; description: string; format?: string } } };
    headers: { properties: { ce_subject: { description: string } } };
  };
  const document = buildAsyncApiDocument() as unknown as { components: { messages: Record<string, Message> } };
  const messageOf = (contract: AnyEventContract): Message => {
    const message = document.components.messages[contract.type];
    if (!message) throw new Error(`no message for ${contract.type}`);
    return message;
  };

  it('describes the complaint-registered key with its partition-key description, not the aggregate id', () => {
    const partitionKey = ComplaintRegisteredV1.partitionKey;
    if (!partitionKey) throw new Error('ComplaintRegistered v1 declares a partitionKey');
    const { bindings, headers } = messageOf(ComplaintRegisteredV1);
    expect(bindings.kafka.key.type).toBe('string');
    expect(bindings.kafka.key.description).toContain(partitionKey.description);
    expect(bindings.kafka.key.description).not.toContain('Aggregate (stream) id');
    // The key is no uuid (the complaint id's format must not leak into the key schema).
    expect(bindings.kafka.key.format).toBeUndefined();
    // ce_subject stays the complaint id, and no longer claims to equal the key.
    expect(headers.properties.ce_subject.description).not.toContain('equal to the Kafka key');
  });

  it.each(EventCatalogue.filter((c) => !c.partitionKey).map((contract) => [contract.type, contract] as const))(
    '%s is keyed by its aggregate id',
    (_type, contract: AnyEventContract) => {
      const { bindings, headers } = messageOf(contract);
      expect(bindings.kafka.key.description).toContain('Aggregate (stream) id');
      expect(bindings.kafka.key.description).toContain(`\`${contract.subject}\``);
      expect(headers.properties.ce_subject.description).toContain('equal to the Kafka key');
    },
  );
});
