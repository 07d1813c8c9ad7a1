import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { parse } from 'yaml';
import { EventCatalogue, toJSONSchema } from '@aftersales/contracts';
import { buildAsyncApiDocument } from '../../contracts/scripts/asyncapi-document';

const ASYNCAPI_FILE = join(__dirname, '..', '..', 'contracts', 'asyncapi.yaml');
const REGENERATE = 'npx tsx contracts/scripts/generate-asyncapi.ts';

/** Drops the `x-parser-*` bookkeeping keys the AsyncAPI parser adds to the schemas it reads. */
function withoutParserExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserExtensions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-parser-'))
      .map(([key, entry]) => [key, withoutParserExtensions(entry)]),
  );
}

describe('contracts/asyncapi.yaml', () => {
  const text = readFileSync(ASYNCAPI_FILE, 'utf8');
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(text);
    const errors = diagnostics
      .filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error)
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
    if (!parsed) throw new Error('AsyncAPI document could not be parsed');
    document = parsed;
  });

  it('is an AsyncAPI 3.0.0 document', () => {
    expect(document.version()).toBe('3.0.0');
  });

  it.each(EventCatalogue.map((contract) => [contract.type, contract] as const))(
    'publishes %s on its topic with the contract schema as payload',
    (_type, contract) => {
      const channel = document
        .channels()
        .all()
        .find((candidate) => candidate.address() === contract.topic);
      expect(channel).toBeDefined();
      const message = channel
        ?.messages()
        .all()
        .find((candidate) => candidate.name() === contract.type);
      expect(message).toBeDefined();
      expect(withoutParserExtensions(message?.payload()?.json())).toEqual(toJSONSchema(contract.schema));

      const headers = withoutParserExtensions(message?.headers()?.json());
      expect(headers).toMatchObject({ properties: { ce_type: { const: contract.type } } });

      const sends = document
        .operations()
        .all()
        .filter(
          (operation) =>
            operation.action() === 'send' &&
            operation
              .channels()
              .all()
              .some((c) => c.address() === contract.topic),
        );
      expect(
        sends.some((operation) =>
          operation
            .messages()
            .all()
            .some((m) => m.name() === contract.type),
        ),
      ).toBe(true);
    },
  );

  it('describes no message the catalogue lacks', () => {
    const known = new Map<string, string>(EventCatalogue.map((contract) => [contract.type, contract.topic]));
    const unknown = document
      .messages()
      .all()
      .map((message) => message.name() ?? message.id())
      .filter((name) => !known.has(name));
    expect(unknown).toEqual([]);

    for (const channel of document.channels().all()) {
      for (const message of channel.messages().all()) {
        expect({ message: message.name(), topic: channel.address() }).toEqual({
          message: message.name(),
          topic: known.get(message.name() ?? ''),
        });
      }
    }
  });

  it(`matches the generator output (if not: ${REGENERATE})`, () => {
    expect(parse(text)).toEqual(buildAsyncApiDocument());
  });
});
