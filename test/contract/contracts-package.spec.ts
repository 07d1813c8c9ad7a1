import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventCatalogue } from '@aftersales/contracts';
import { buildContractsPackage } from '../../contracts/scripts/build-package';
import { SCHEMA_DIR, schemaFile } from '../../contracts/scripts/schemas';

// CONTEXT: the publishable package (ADR 16): built the way `npm run contracts:package` builds it, then loaded by a
// plain Node process as an integrator's code would load it.

const ROOT = join(__dirname, '..', '..');

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

describe('the publishable @aftersales/contracts package', () => {
  // Inside the repository, so the built library resolves its dependencies from the workspace's node_modules.
  const out = join(ROOT, 'contracts', 'dist', `package-test-${process.pid}`);
  let built: string[];

  beforeAll(() => {
    buildContractsPackage(out);
    built = files(out);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('has a package.json to publish: entry points, types, schema exports and its runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<string, unknown>;
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest).toMatchObject({
      name: '@aftersales/contracts',
      version: (JSON.parse(readFileSync(join(ROOT, 'contracts', 'package.json'), 'utf8')) as { version: string })
        .version,
      main: 'index.js',
      types: 'index.d.ts',
      exports: { '.': { types: './index.d.ts', default: './index.js' }, './schemas/*': './schemas/*' },
      dependencies: {
        '@sinclair/typebox': root.dependencies['@sinclair/typebox'],
        ajv: root.dependencies['ajv'],
        'ajv-formats': root.dependencies['ajv-formats'],
      },
    });
    expect(manifest['private']).toBeUndefined();
  });

  it('ships the TypeScript declarations of every contract and its payload type', () => {
    const index = readFileSync(join(out, 'index.d.ts'), 'utf8');
    for (const contract of EventCatalogue) {
      const name = `${contract.name.replace(/(^|-)([a-z])/g, (_: string, _d: string, c: string) => c.toUpperCase())}V${contract.version}`;
      expect(index).toMatch(new RegExp(`\\b${name}\\b`));
      const declaration = built.find(
        (file) => file === `events/${contract.service}/${contract.name}.v${contract.version}.d.ts`,
      );
      expect(declaration).toBeDefined();
      expect(readFileSync(join(out, declaration as string), 'utf8')).toContain(`export type ${name} = `);
    }
  });

  it('ships every JSON Schema file, the AsyncAPI document and the HTML catalogue', () => {
    for (const contract of EventCatalogue) {
      expect(readFileSync(join(out, 'schemas', schemaFile(contract)), 'utf8')).toBe(
        readFileSync(join(SCHEMA_DIR, schemaFile(contract)), 'utf8'),
      );
    }
    for (const file of [
      'asyncapi.yaml',
      'catalogue/index.html',
      'README.md',
      'schemas/index.json',
      'schemas/released.json',
    ]) {
      expect(existsSync(join(out, file))).toBe(true);
    }
  });

  it('loads in plain Node with its declared dependencies only, and validates events', () => {
    const requires = built
      .filter((file) => file.endsWith('.js'))
      .flatMap((file) =>
        [...readFileSync(join(out, file), 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]),
      )
      .map((name) => (name?.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name?.split('/')[0]));
    expect([...new Set(requires)].sort()).toEqual(['@sinclair/typebox', 'ajv', 'ajv-formats']);
    const script = `
      const c = require(${JSON.stringify(out)});
      const results = c.EventCatalogue.map((contract) => [contract.type, c.validateEvent(contract.type, contract.schema.examples[0]).ok]);
      const bad = c.validateEvent('aftersales.intake.case-opened.v1', { caseId: 'x' });
      console.log(JSON.stringify({ results, bad: bad.code, tenant: c.CloudEventHeaders.tenant }));`;
    const output = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      results: Array<[string, boolean]>;
      bad: string;
      tenant: string;
    };
    expect(output.results).toEqual(EventCatalogue.map((contract) => [contract.type, true]));
    expect(output).toMatchObject({ bad: 'SCHEMA_VIOLATION', tenant: 'ce_tenantid' });
  });
});
