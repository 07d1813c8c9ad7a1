/**
 * `npm run build`: every service compiled to JavaScript in `dist/`, runnable with plain `node` and production
 * dependencies only — what the image (deploy/docker/Dockerfile) runs.
 *
 *   npm run build                                  # → dist/
 *   cd dist && npm ci --omit=dev                   # its production node_modules (the image does this)
 *   node services/intake/src/main.js               # (in dist/) a service; node deploy/migrate.js intake migrates
 *
 * `dist/` mirrors the repository: `tsc -p tsconfig.build.json` compiles contracts, the libraries the services use, the
 * services (no tests, no test kits) and deploy/migrate.ts; then the root package.json and package-lock.json are copied
 * and every workspace gets its package.json pointing at its compiled entry points (the `@aftersales/*` import
 * paths of tsconfig.base.json, `.ts` → `.js`), so `npm ci` links the workspaces and Node resolves them from the
 * compiled output. Workspaces that are not compiled (test kits, the generator) keep only their package.json, which the
 * lockfile lists.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

interface Manifest {
  name: string;
  main?: string;
  exports?: Record<string, string>;
  [field: string]: unknown;
}

/** The workspace folders of the root package.json (`contracts`, `libs/*`, `services/*`). */
function workspaces(): string[] {
  const { workspaces: globs } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(ROOT, parent, e.name, 'package.json')))
      .map((e) => `${parent}/${e.name}`);
  });
}

/** `@aftersales/x[/sub]` → its source file, from tsconfig.base.json's `paths`. */
function importPaths(): Map<string, string> {
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, target as string]));
}

/** The workspace's package.json for dist: `main` and `exports` name the compiled files of its import paths. */
function compiledManifest(folder: string, paths: Map<string, string>): Manifest {
  const manifest = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as Manifest;
  const exports: Record<string, string> = {};
  for (const [alias, source] of paths) {
    const subpath =
      alias === manifest.name
        ? '.'
        : alias.startsWith(`${manifest.name}/`)
          ? `.${alias.slice(manifest.name.length)}`
          : null;
    if (subpath === null || !source.startsWith(`${folder}/`)) continue;
    const compiled = `./${relative(folder, source).replace(/\.ts$/, '.js')}`;
    if (existsSync(join(DIST, folder, compiled))) exports[subpath] = compiled;
  }
  if (folder.startsWith('services/') && existsSync(join(DIST, folder, 'src', 'main.js'))) {
    exports['.'] ??= './src/main.js';
  }
  const { main: _main, exports: _exports, ...rest } = manifest;
  return Object.keys(exports).length > 0 ? { ...rest, main: exports['.'] ?? Object.values(exports)[0], exports } : rest;
}

function build(): void {
  rmSync(DIST, { recursive: true, force: true });
  const started = Date.now();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const paths = importPaths();
  for (const folder of workspaces()) {
    mkdirSync(join(DIST, folder), { recursive: true });
    writeFileSync(join(DIST, folder, 'package.json'), `${JSON.stringify(compiledManifest(folder, paths), null, 2)}\n`);
  }
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest & { scripts?: unknown };
  // The scripts run TypeScript with tsx (a dev dependency); the compiled tree is run with `node` directly.
  const { scripts: _scripts, ...runtimeRoot } = root;
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify(runtimeRoot, null, 2)}\n`);
  copyFileSync(join(ROOT, 'package-lock.json'), join(DIST, 'package-lock.json'));
  const services = readdirSync(join(DIST, 'services')).filter((s) =>
    existsSync(join(DIST, 'services', s, 'src', 'main.js')),
  );
  console.log(`[build] dist/ in ${((Date.now() - started) / 1000).toFixed(0)} s: ${services.join(', ')}`);
}

build();
