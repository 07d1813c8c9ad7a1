/**
 * Builds the publishable `@aftersales/contracts` package into a directory (default `contracts/dist/package`, ignored by
 * git): the compiled library with its TypeScript declarations (every contract, its payload type, `validateEvent`, the
 * headers and topics), the JSON Schema files, `asyncapi.yaml`, the HTML catalogue and the README, and a package.json
 * with the runtime dependencies at the workspace's ranges. `npm pack <dir>` (or `npm publish <dir>`) ships it.
 *
 *   npx tsx contracts/scripts/build-package.ts [outDir]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CONTRACTS = join(__dirname, '..');
const ROOT = join(CONTRACTS, '..');
/** Runtime dependencies of `contracts/src` (checked by the package test: the built library loads with only these). */
const RUNTIME_DEPENDENCIES = ['@sinclair/typebox', 'ajv', 'ajv-formats'] as const;

export function buildContractsPackage(outDir: string = join(CONTRACTS, 'dist', 'package')): string {
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(CONTRACTS, 'tsconfig.build.json'), '--outDir', out],
    { stdio: 'inherit' },
  );
  for (const entry of ['schemas', 'catalogue', 'asyncapi.yaml', 'README.md']) {
    cpSync(join(CONTRACTS, entry), join(out, entry), { recursive: true });
  }
  const workspace = JSON.parse(readFileSync(join(CONTRACTS, 'package.json'), 'utf8')) as Record<string, unknown>;
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    license: string;
  };
  const manifest = {
    name: workspace['name'],
    version: workspace['version'],
    description: workspace['description'],
    license: root.license,
    main: 'index.js',
    types: 'index.d.ts',
    exports: {
      '.': { types: './index.d.ts', default: './index.js' },
      './schemas/*': './schemas/*',
      './asyncapi.yaml': './asyncapi.yaml',
      './catalogue/index.html': './catalogue/index.html',
      './package.json': './package.json',
    },
    files: ['**/*.js', '**/*.d.ts', 'schemas/', 'catalogue/', 'asyncapi.yaml', 'README.md'],
    dependencies: Object.fromEntries(RUNTIME_DEPENDENCIES.map((name) => [name, root.dependencies[name]])),
    publishConfig: { access: 'public' },
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}

if (require.main === module) {
  const out = buildContractsPackage(process.argv[2]);
  console.log(`built @aftersales/contracts in ${out} (npm pack ${out})`);
}
