import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { EventCatalogue, findBreakingChanges, toJSONSchema, type JSONSchema } from '@aftersales/contracts';
import { BASELINE_DIR, baselinePath } from '../../contracts/scripts/baselines';

const PUBLISH = 'npx tsx contracts/scripts/publish-baseline.ts';

describe('published event versions stay compatible', () => {
  it.each(EventCatalogue.map((contract) => [contract.type, contract] as const))(
    '%s does not break its published baseline',
    (type, contract) => {
      const path = baselinePath(type);
      if (!existsSync(path)) throw new Error(`No baseline for ${type}: run ${PUBLISH} and commit the file`);
      const published = JSON.parse(readFileSync(path, 'utf8')) as JSONSchema;
      expect(published.$id).toBe(type);
      expect(findBreakingChanges(published, toJSONSchema(contract.schema))).toEqual([]);
    },
  );

  it('keeps every published version in the catalogue (published versions are never removed)', () => {
    const published = readdirSync(BASELINE_DIR)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length));
    const current = new Set<string>(EventCatalogue.map((contract) => contract.type));
    expect(published.filter((type) => !current.has(type))).toEqual([]);
  });
});

describe('findBreakingChanges', () => {
  const base = (): JSONSchema => ({
    $id: 'test.v1',
    type: 'object',
    required: ['id', 'name', 'status', 'lines'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string', minLength: 1, maxLength: 100, description: 'Name.' },
      status: { type: 'string', enum: ['open', 'closed'] },
      note: { type: 'string' },
      address: {
        type: 'object',
        required: ['city'],
        properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      },
      lines: {
        type: 'array',
        items: {
          type: 'object',
          required: ['sku', 'quantity'],
          properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
        },
      },
    },
  });

  /** Navigates `properties` by name and array `items` by `'[]'`. */
  const at = (schema: JSONSchema, ...steps: string[]): JSONSchema =>
    steps.reduce<JSONSchema>((node, step) => {
      const next = step === '[]' ? node.items : node.properties?.[step];
      if (next === undefined || Array.isArray(next)) throw new Error(`no schema at ${steps.join('.')}`);
      return next;
    }, schema);

  const changed = (mutate: (schema: JSONSchema) => void): string[] => {
    const current = base();
    mutate(current);
    return findBreakingChanges(base(), current);
  };

  it('accepts an identical schema', () => {
    expect(findBreakingChanges(base(), base())).toEqual([]);
  });

  describe('detects', () => {
    it.each<[string, (schema: JSONSchema) => void, string]>([
      ['a removed property', (s) => delete s.properties?.['note'], '$.note: property removed'],
      ['a changed property type', (s) => (at(s, 'name').type = 'number'), '$.name: type changed from string to number'],
      [
        'a widened property type',
        (s) => (at(s, 'note').type = ['string', 'null']),
        '$.note: type changed from string to null|string',
      ],
      [
        'a new required property',
        (s) => {
          at(s).properties = { ...at(s).properties, channel: { type: 'string' } };
          s.required = [...(s.required ?? []), 'channel'];
        },
        '$.channel: new required property',
      ],
      [
        'an optional property becoming required',
        (s) => s.required?.push('note'),
        '$.note: optional property became required',
      ],
      [
        'a required property becoming optional',
        (s) => (s.required = s.required?.filter((n) => n !== 'name')),
        '$.name: property no longer required',
      ],
      ['a removed enum value', (s) => (at(s, 'status').enum = ['open']), '$.status: enum value "closed" removed'],
      ['an added enum constraint', (s) => (at(s, 'note').enum = ['x']), '$.note: enum constraint added ("x")'],
      ['a changed format', (s) => (at(s, 'id').format = 'uri'), '$.id: format changed from "uuid" to "uri"'],
      ['an added format', (s) => (at(s, 'note').format = 'date-time'), '$.note: format "date-time" added'],
      ['a removed format', (s) => delete at(s, 'id').format, '$.id: format "uuid" removed'],
      ['a raised minLength', (s) => (at(s, 'name').minLength = 2), '$.name: minLength tightened from 1 to 2'],
      ['a lowered maxLength', (s) => (at(s, 'name').maxLength = 50), '$.name: maxLength tightened from 100 to 50'],
      ['an added maxLength', (s) => (at(s, 'note').maxLength = 10), '$.note: maxLength added (10)'],
      [
        'a changed pattern',
        (s) => (at(s, 'address', 'zip').pattern = '^[0-9]{4}$'),
        '$.address.zip: pattern changed from ^[0-9]{5}$ to ^[0-9]{4}$',
      ],
      [
        'additionalProperties: false',
        (s) => (s.additionalProperties = false),
        '$: additional properties no longer allowed',
      ],
      [
        'a property removed from a nested object',
        (s) => delete at(s, 'address').properties?.['city'],
        '$.address.city: property removed',
      ],
      [
        'a type change inside array items',
        (s) => (at(s, 'lines', '[]', 'quantity').type = 'string'),
        '$.lines[].quantity: type changed from integer to string',
      ],
      [
        'a raised minimum inside array items',
        (s) => (at(s, 'lines', '[]', 'quantity').minimum = 2),
        '$.lines[].quantity: minimum tightened from 1 to 2',
      ],
      [
        'a new required property inside array items',
        (s) => {
          const line = at(s, 'lines', '[]');
          line.properties = { ...line.properties, price: { type: 'number' } };
          line.required = [...(line.required ?? []), 'price'];
        },
        '$.lines[].price: new required property',
      ],
      [
        'an array item type change',
        (s) => (at(s, 'lines').items = { type: 'string' }),
        '$.lines[]: type changed from object to string',
      ],
    ])('%s', (_kind, mutate, expected) => {
      expect(changed(mutate)).toEqual([expected]);
    });

    it('a removed value of a TypeBox literal union', () => {
      const v1 = toJSONSchema(Type.Object({ kind: Type.Union([Type.Literal('photo'), Type.Literal('video')]) }));
      const v1Changed = toJSONSchema(Type.Object({ kind: Type.Union([Type.Literal('photo')]) }));
      expect(findBreakingChanges(v1, v1Changed)).toEqual(['$.kind: enum value "video" removed']);
    });

    it('several changes at once', () => {
      const problems = changed((s) => {
        delete s.properties?.['note'];
        at(s, 'status').enum = ['open'];
        at(s, 'lines', '[]', 'sku').format = 'uuid';
      });
      expect(problems).toEqual([
        '$.status: enum value "closed" removed',
        '$.note: property removed',
        '$.lines[].sku: format "uuid" added',
      ]);
    });
  });

  describe('accepts additive changes', () => {
    it.each<[string, (schema: JSONSchema) => void]>([
      ['a new optional property', (s) => (at(s).properties = { ...at(s).properties, channel: { type: 'string' } })],
      [
        'a new optional property in array items',
        (s) => (at(s, 'lines', '[]').properties = { ...at(s, 'lines', '[]').properties, price: { type: 'number' } }),
      ],
      ['an added enum value', (s) => (at(s, 'status').enum = ['open', 'closed', 'reopened'])],
      ['relaxed string constraints', (s) => Object.assign(at(s, 'name'), { minLength: 0, maxLength: 200 })],
      ['a removed pattern', (s) => delete at(s, 'address', 'zip').pattern],
      [
        'changed annotations',
        (s) => Object.assign(at(s, 'name'), { description: 'Display name.', examples: ['Kettle'] }),
      ],
      [
        'title, description and examples added to the payload schema',
        (s) =>
          Object.assign(s, {
            title: 'Test v1',
            description: 'A test event.',
            examples: [{ id: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c', name: 'Kettle', status: 'open', lines: [] }],
          }),
      ],
      ['a removed annotation', (s) => delete at(s, 'name').description],
    ])('%s', (_kind, mutate) => {
      expect(changed(mutate)).toEqual([]);
    });

    it('an added value of a TypeBox literal union', () => {
      const v1 = toJSONSchema(Type.Object({ kind: Type.Union([Type.Literal('photo'), Type.Literal('video')]) }));
      const v1Added = toJSONSchema(
        Type.Object({
          kind: Type.Union([Type.Literal('photo'), Type.Literal('video'), Type.Literal('document')]),
          note: Type.Optional(Type.String()),
        }),
      );
      expect(findBreakingChanges(v1, v1Added)).toEqual([]);
    });
  });
});
