import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EventCatalogue, toJSONSchema } from '@aftersales/contracts';
import { SCHEMA_DIR, currentRelease, readReleases, schemaFile, schemaFiles } from '../../contracts/scripts/schemas';

// CONTEXT: the publishable JSON Schema files, one per event version. Released files are kept forever and never change
// within a release (contracts/schemas/released.json records them per version of the package; ADR 16).

const REGENERATE = 'npx tsx contracts/scripts/generate-schemas.ts';
const currentVersion = (JSON.parse(readFileSync(join(SCHEMA_DIR, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

/** Every file under contracts/schemas, relative, `released.json` excepted. */
function committedFiles(dir = SCHEMA_DIR, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? committedFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : `${prefix}${entry.name}` === 'released.json'
        ? []
        : [`${prefix}${entry.name}`],
  );
}

describe('contracts/schemas', () => {
  const generated = schemaFiles();

  it(`are up to date, one file per event version and nothing else (if not: ${REGENERATE})`, () => {
    expect(committedFiles().sort()).toEqual([...generated.keys()].sort());
    for (const [path, content] of generated) {
      expect({ path, content: JSON.parse(readFileSync(join(SCHEMA_DIR, path), 'utf8')) as unknown }).toEqual({
        path,
        content,
      });
    }
  });

  it.each(EventCatalogue.map((contract) => [contract.type, contract] as const))(
    '%s: its file is the payload schema, a valid JSON Schema 2020-12 that accepts its examples',
    (_type, contract) => {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, schemaFile(contract)), 'utf8')) as Record<
        string,
        unknown
      >;
      const { $schema, ...payload } = schema;
      expect($schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(payload).toEqual(toJSONSchema(contract.schema));
      const ajv = new Ajv2020({ strict: false });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      for (const example of contract.schema.examples as unknown[]) expect(validate(example)).toBe(true);
    },
  );

  it('keeps every file of every release (a released event version never disappears)', () => {
    const releases = readReleases();
    expect(Object.keys(releases).length).toBeGreaterThan(0);
    const missing = Object.entries(releases).flatMap(([version, files]) =>
      Object.keys(files)
        .filter((path) => !existsSync(join(SCHEMA_DIR, path)))
        .map((path) => `${version}: ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it(`the files of this version (contracts ${currentVersion}) are exactly those it released (if not: bump contracts/package.json, then ${REGENERATE} --release)`, () => {
    const released = readReleases()[currentVersion];
    expect(released).toBeDefined();
    expect(currentRelease(generated)).toEqual(released);
  });
});
