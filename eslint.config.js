// @ts-check
/**
 * Lint rules of the monorepo (ESLint 9 flat config). Syntax-only (no type information) so `npm run lint` stays fast.
 *
 * Architecture rules, from coarse to fine:
 *  - `@nx/enforce-module-boundaries`: project → project dependencies by tag (type:* and scope:*, see project.json).
 *  - `no-restricted-imports` (deterministic, no project graph needed):
 *      - workspace packages only through their root (`@aftersales/contracts`, never `@aftersales/contracts/src/…`)
 *        or a subpath entry point declared in tsconfig.base.json (`@aftersales/testing/decider`), never by
 *        repository path (`contracts/…`, `libs/…`, `services/…`);
 *      - a service never imports another service's package;
 *      - `@aftersales/testing` (and its entry points) only in tests;
 *      - `services/<name>/src/domain/**` imports only the domain kits (libs tagged `type:domain-kit`:
 *        `@aftersales/domain`, `@aftersales/business-time`), `@aftersales/contracts` and its own files;
 *        its tests (`*.spec.ts` and the builders in `testing/` folders) also `@aftersales/testing/decider`, which
 *        production domain files may not import, directly or through a `testing/` folder.
 *      - `services/<name>/src/application/**` (production files) reaches SQL, HTTP, messaging and metrics only through
 *        ports: no `pg` but the transaction handle's type (`import type { PoolClient }`), no typeorm, pg-* or kafkajs,
 *        no HTTP client (`node:http(s)`, undici, …), no prom-client or OpenTelemetry metrics; with
 *        `no-restricted-globals` no `fetch`, and with `no-restricted-syntax` no `.query(…)` call (SQL text);
 *      - a domain kit's production code imports only other domain kits and its own files (pure TypeScript);
 *  - `local/no-relative-import-across-boundary`: a relative import never leaves its project (`../../libs/…`), nor a
 *    domain folder; code outside projects (test/, scripts/, deploy/) does not reach into a project by relative path.
 *  - `local/no-infrastructure-in-application`: nothing under a service's `src/application` (tests included) imports
 *    its `src/infrastructure`, by relative path or otherwise, nor a library's adapters (`@aftersales/<lib>/infrastructure`);
 *    adapters implement application ports instead and are bound in the service's module
 *    (docs/adr/0008-application-ports.md). A library with a `src/infrastructure` folder (`@aftersales/notifications`) is
 *    layered the same way: the rest of its `src` is held to the application rules above and does not import its
 *    infrastructure, which it publishes as the `@aftersales/<lib>/infrastructure` entry point.
 *
 * Service and library lists are read from the folders, so a new service is covered as soon as it has a package.json.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const { builtinModules } = require('node:module');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const nxPlugin = require('@nx/eslint-plugin');
const sonarjs = require('eslint-plugin-sonarjs');
const prettier = require('eslint-config-prettier/flat');

const ROOT = __dirname;
const toPosix = (/** @type {string} */ p) => p.split(path.sep).join('/');

/** Workspace projects (folders with a package.json) under `dir`, as repository-relative roots. */
function projectsIn(/** @type {string} */ dir) {
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(abs, entry.name, 'package.json')))
    .map((entry) => `${dir}/${entry.name}`)
    .sort();
}

const SERVICES = projectsIn('services').map((root) => ({
  root,
  scope: path.posix.basename(root),
  pkg: /** @type {string} */ (JSON.parse(readFileSync(path.join(ROOT, root, 'package.json'), 'utf8')).name),
}));
const PROJECT_ROOTS = [...(existsSync(path.join(ROOT, 'contracts')) ? ['contracts'] : []), ...projectsIn('libs')];
PROJECT_ROOTS.push(...SERVICES.map((s) => s.root));
/** Libraries layered like a service: ports and policies in `src`, adapters in `src/infrastructure`. */
const LAYERED_LIBS = projectsIn('libs').filter((root) => existsSync(path.join(ROOT, root, 'src', 'infrastructure')));

/**
 * Libraries tagged `type:domain-kit` in their project.json (`@aftersales/domain`, `@aftersales/business-time`): pure
 * building blocks that domain code may import.
 */
const DOMAIN_KITS = projectsIn('libs')
  .filter((root) => {
    const projectFile = path.join(ROOT, root, 'project.json');
    return existsSync(projectFile) && JSON.parse(readFileSync(projectFile, 'utf8')).tags?.includes('type:domain-kit');
  })
  .map((root) => ({
    root,
    pkg: /** @type {string} */ (JSON.parse(readFileSync(path.join(ROOT, root, 'package.json'), 'utf8')).name),
  }));

/** Subpath entry points (`@aftersales/<package>/<entry>`), each declared in tsconfig.base.json `paths`. */
const SUBPATH_ENTRIES = Object.keys(
  /** @type {Record<string, string[]>} */ (
    JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths
  ),
).filter((alias) => /^@aftersales\/[^/]+\//.test(alias));

const projectOf = (/** @type {string} */ file) =>
  PROJECT_ROOTS.find((root) => file === root || file.startsWith(`${root}/`));
const escapeRegex = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regex alternative matching exactly one of `names`. */
const oneOf = (/** @type {string[]} */ names) => `(${names.map(escapeRegex).join('|')})$`;

// ---------------------------------------------------------------------------------------------------------------
// Nx project graph: `@nx/enforce-module-boundaries` reads the cached graph and silently skips itself without one.
// Refresh it (once, ~3 s) when it is missing or older than a project definition, so plain `eslint .` enforces it too.
// ---------------------------------------------------------------------------------------------------------------
function ensureNxProjectGraph() {
  const dataDir = process.env.NX_WORKSPACE_DATA_DIRECTORY ?? path.join(ROOT, '.nx', 'workspace-data');
  const graphFile = path.resolve(ROOT, dataDir, 'project-graph.json');
  const mtime = (/** @type {string} */ file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
  const definitions = ['nx.json', 'package.json', 'tsconfig.base.json'];
  for (const root of PROJECT_ROOTS) definitions.push(`${root}/package.json`, `${root}/project.json`);
  const graphAge = mtime(graphFile);
  if (graphAge > 0 && definitions.every((file) => mtime(path.join(ROOT, file)) <= graphAge)) return;
  try {
    execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'show', 'projects'], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
      timeout: 60_000,
    });
  } catch {
    // No graph: the Nx rule skips itself with a warning; the deterministic rules below still apply.
  }
}
ensureNxProjectGraph();

// ---------------------------------------------------------------------------------------------------------------
// Local rule: relative imports stay inside their project (or domain folder).
// ---------------------------------------------------------------------------------------------------------------
/** @type {import('eslint').Rule.RuleModule} */
const noRelativeImportAcrossBoundary = {
  meta: {
    type: 'problem',
    docs: { description: 'Relative imports must not leave their project (or domain folder), nor reach into one.' },
    schema: [
      {
        type: 'object',
        properties: {
          allow: {
            description: 'Exceptions for code outside projects: `from` and `to` are repository-relative prefixes.',
            type: 'array',
            items: {
              type: 'object',
              properties: { from: { type: 'string' }, to: { type: 'string' } },
              required: ['from', 'to'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      leavesProject:
        "Relative import '{{source}}' leaves project '{{boundary}}' (resolves to '{{target}}'). Import other projects by their `@aftersales/*` package name.",
      leavesDomain:
        "Relative import '{{source}}' leaves the domain folder '{{boundary}}' (resolves to '{{target}}'). Domain code imports only its own files, `@aftersales/domain` and `@aftersales/contracts`.",
      intoProject:
        "Relative import '{{source}}' reaches into project '{{project}}' (resolves to '{{target}}'). Import it by its `@aftersales/*` package name.",
    },
  },
  create(context) {
    const file = toPosix(path.relative(ROOT, context.filename));
    if (file.startsWith('../') || path.isAbsolute(file)) return {};
    /** @type {{ from: string; to: string }[]} */
    const allow = context.options[0]?.allow ?? [];
    const domain = /^services\/[^/]+\/src\/domain(?=\/)/.exec(file)?.[0];
    const project = projectOf(file);
    const boundary = domain ?? project;

    /** @param {import('estree').Node} node @param {unknown} source */
    function check(node, source) {
      if (typeof source !== 'string' || !/^\.{1,2}(\/|$)/.test(source)) return;
      const target = toPosix(path.relative(ROOT, path.resolve(path.dirname(context.filename), source)));
      if (boundary) {
        if (target === boundary || target.startsWith(`${boundary}/`)) return;
        const messageId = domain ? 'leavesDomain' : 'leavesProject';
        context.report({ node, messageId, data: { source, boundary, target } });
        return;
      }
      const targetProject = projectOf(target);
      if (!targetProject) return;
      if (allow.some((a) => file.startsWith(a.from) && target.startsWith(a.to))) return;
      context.report({ node, messageId: 'intoProject', data: { source, project: targetProject, target } });
    }

    return moduleReferences(check);
  },
};

/**
 * Visitors calling `check(node, specifier)` for every way a file names another module: static, type-only and dynamic
 * imports, re-exports, `require`, `import x = require()` and `typeof import()`.
 * @param {(node: import('estree').Node, source: unknown) => void} check @returns {import('eslint').Rule.RuleListener}
 */
function moduleReferences(check) {
  /** @param {any} node */
  const fromSource = (node) => node.source && check(node, node.source.value);
  return {
    ImportDeclaration: fromSource,
    ExportAllDeclaration: fromSource,
    ExportNamedDeclaration: fromSource,
    /** @param {any} node */
    ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    /** @param {any} node */
    'CallExpression[callee.type="Identifier"][callee.name="require"]': (node) =>
      node.arguments[0]?.type === 'Literal' && check(node, node.arguments[0].value),
    /** @param {any} node */
    TSExternalModuleReference: (node) => node.expression.type === 'Literal' && check(node, node.expression.value),
    /** @param {any} node */
    TSImportType: (node) => node.argument?.type === 'TSLiteralType' && check(node, node.argument.literal.value),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Local rule: a service's application layer does not depend on its infrastructure (ports in, adapters out).
// ---------------------------------------------------------------------------------------------------------------
/** @type {import('eslint').Rule.RuleModule} */
const noInfrastructureInApplication = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "A service's src/application never imports its src/infrastructure nor a library's adapters; a layered library's src never imports its own src/infrastructure.",
    },
    schema: [],
    messages: {
      infrastructure:
        "Application code does not import infrastructure: '{{source}}' resolves to '{{target}}'. Declare a port in " +
        "application/ and bind its adapter in the service's module (docs/adr/0008-application-ports.md).",
      libraryAdapters:
        "Application code does not import a library's adapters ('{{source}}'): depend on the library's ports " +
        "(its package root) and bind the adapters in the service's module (docs/adr/0008-application-ports.md).",
    },
  },
  create(context) {
    const file = toPosix(path.relative(ROOT, context.filename));
    const service = /^(services\/[^/]+)\/src\/application\//.exec(file)?.[1];
    const library = LAYERED_LIBS.find((root) => file.startsWith(`${root}/src/`));
    const layer = service ?? library;
    if (!layer) return {};
    const infrastructure = `${layer}/src/infrastructure`;
    const inInfrastructure = (/** @type {string} */ target) =>
      target === infrastructure || target.startsWith(`${infrastructure}/`);
    if (inInfrastructure(file)) return {};

    /** @param {import('estree').Node} node @param {unknown} source */
    function check(node, source) {
      if (typeof source !== 'string') return;
      if (/^\.{1,2}(\/|$)/.test(source)) {
        const target = toPosix(path.relative(ROOT, path.resolve(path.dirname(context.filename), source)));
        if (inInfrastructure(target)) context.report({ node, messageId: 'infrastructure', data: { source, target } });
        return;
      }
      // A library's adapters, published as its `infrastructure` entry point, are the composition root's to bind.
      if (/^@aftersales\/[^/]+\/infrastructure(\/|$)/.test(source)) {
        context.report({ node, messageId: 'libraryAdapters', data: { source } });
        return;
      }
      // Not relative: a repository path (`services/x/src/infrastructure/…`) or a package path into one
      // (`@aftersales/x/src/infrastructure/…`); both are refused by other rules too, this one says why.
      if (/(^|\/)src\/infrastructure(\/|$)/.test(source)) {
        context.report({ node, messageId: 'infrastructure', data: { source, target: source } });
      }
    }

    return moduleReferences(check);
  },
};

const localPlugin = {
  meta: { name: 'local' },
  rules: {
    'no-relative-import-across-boundary': noRelativeImportAcrossBoundary,
    'no-infrastructure-in-application': noInfrastructureInApplication,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// no-restricted-imports: a later config block replaces the rule's options, so each block gets the full, merged list.
// ---------------------------------------------------------------------------------------------------------------
/** @typedef {{ paths?: { name: string; message: string }[]; patterns?: { regex: string; message: string }[] }} Restrictions */
/** @param {Restrictions[]} parts @returns {import('eslint').Linter.RuleEntry} */
const restrictImports = (...parts) => [
  'error',
  { paths: parts.flatMap((p) => p.paths ?? []), patterns: parts.flatMap((p) => p.patterns ?? []) },
];

/** @type {Restrictions} */
const WORKSPACE_IMPORTS = {
  patterns: [
    {
      regex: `^(?!${oneOf(SUBPATH_ENTRIES)})@aftersales/[^/]+/`,
      message:
        'Import workspace packages from their root (e.g. `@aftersales/contracts`) or an entry point declared in tsconfig.base.json, never a path into their sources.',
    },
    {
      regex: '^/?(contracts|libs|services)(/|$)',
      message: 'Do not import projects by repository path; use their `@aftersales/*` package name.',
    },
  ],
};

/** Test-only entry points that domain tests may import as well: Jest-based, but free of infrastructure. */
const DOMAIN_TEST_ENTRIES = ['@aftersales/testing/decider'];

/** @type {Restrictions} */
const TESTS_ONLY = {
  paths: [
    { name: '@aftersales/testing', message: '`@aftersales/testing` is for tests (*.spec.ts) only.' },
    { name: '@aftersales/test-kit', message: '`@aftersales/test-kit` is for tests (*.spec.ts) and harnesses only.' },
    ...DOMAIN_TEST_ENTRIES.map((name) => ({ name, message: `\`${name}\` is for tests (*.spec.ts) only.` })),
  ],
};

/** A service imports no service package: not another one's, nor its own (use relative imports inside a service). */
const noServicePackages = (/** @type {string} */ scope) => ({
  paths: SERVICES.map((s) => ({
    name: s.pkg,
    message:
      s.scope === scope
        ? `Inside ${s.root}, import its own files by relative path, not through ${s.pkg}.`
        : `A service must not import another service (${s.pkg}); integrate through events and APIs in @aftersales/contracts.`,
  })),
});

const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).map(escapeRegex);
/** Specific bans for domain code, each with its reason; anything else not allowed is caught by DOMAIN_ONLY below. */
const DOMAIN_BANNED = [
  { regex: '^@nestjs/', message: 'Domain code is framework-free: no NestJS (`@nestjs/*`) in src/domain.' },
  {
    regex: '^(typeorm|pg|kafkajs)(/|$)',
    message:
      'Domain code does no I/O: persistence and messaging drivers (typeorm, pg, kafkajs) belong in infrastructure.',
  },
  {
    regex: '^@opentelemetry/',
    message: 'Domain code is not instrumented: `@opentelemetry/*` belongs in application or infrastructure.',
  },
  {
    regex: `^(?!${oneOf(DOMAIN_TEST_ENTRIES)})@aftersales/(eventstore|messaging|observability|platform-http|testing)(/|$)`,
    message:
      'Domain code depends on no platform library; only the domain kits (`@aftersales/domain`, `@aftersales/business-time`) and `@aftersales/contracts` (type-only preferred).',
  },
  {
    regex: `^(node:.*|(${NODE_BUILTINS.join('|')})(/.*)?)$`,
    message: 'Domain code is pure: no Node.js built-in modules (I/O, clock, randomness come in through commands).',
  },
];
/** Production domain files: the test helpers are off limits, whether imported directly or through `testing/`. */
const DOMAIN_PRODUCTION_BANNED = [
  {
    regex: `^${oneOf(DOMAIN_TEST_ENTRIES)}`,
    message: `${DOMAIN_TEST_ENTRIES.join(', ')}: test code (Jest), for domain specs and their \`testing/\` builders only.`,
  },
  {
    regex: '^\\.{1,2}/(.+/)?testing(/|$)',
    message:
      'A domain `testing/` folder holds test code (builders, fixtures); production domain code does not import it.',
  },
];
const DOMAIN_KIT_NAMES = DOMAIN_KITS.map((kit) => kit.pkg);

/**
 * Domain code imports the domain kits (`@aftersales/domain`, `@aftersales/business-time`), `@aftersales/contracts` and
 * its own files; its tests (`*.spec.ts` and the `testing/` folders) also the test-only DOMAIN_TEST_ENTRIES.
 * @param {{ tests: boolean }} options @returns {Restrictions}
 */
function domainOnly({ tests }) {
  const banned = tests ? DOMAIN_BANNED : [...DOMAIN_BANNED, ...DOMAIN_PRODUCTION_BANNED];
  const allowed = [...DOMAIN_KIT_NAMES, '@aftersales/contracts', ...(tests ? DOMAIN_TEST_ENTRIES : [])];
  const kits = DOMAIN_KIT_NAMES.map((name) => `\`${name}\``).join(', ');
  return {
    patterns: [
      ...banned,
      {
        // Everything not explicitly allowed, minus what `banned` already reports (one error per import).
        regex: `^(?!${oneOf(allowed)}|\\.{1,2}(/|$)|${banned.map((b) => `(${b.regex})`).join('|')})`,
        message: tests
          ? `Domain tests may import only ${kits}, \`@aftersales/contracts\`, the test-only ` +
            `${DOMAIN_TEST_ENTRIES.join(', ')} and files of their own domain folder.`
          : `src/domain may import only ${kits}, \`@aftersales/contracts\` (type-only preferred) and files of its own domain folder.`,
      },
    ],
  };
}

/**
 * A domain kit's production code is as pure as the domain code that uses it: other domain kits and its own files,
 * no framework, driver, platform library, Node.js built-in or other package (`Intl` and the language suffice).
 * @type {Restrictions}
 */
const DOMAIN_KIT_ONLY = {
  patterns: [
    ...DOMAIN_BANNED,
    ...DOMAIN_PRODUCTION_BANNED,
    {
      regex: `^(?!${oneOf(DOMAIN_KIT_NAMES)}|\\.{1,2}(/|$)|${[...DOMAIN_BANNED, ...DOMAIN_PRODUCTION_BANNED].map((b) => `(${b.regex})`).join('|')})`,
      message: `A domain kit (type:domain-kit) imports only ${DOMAIN_KIT_NAMES.map((name) => `\`${name}\``).join(', ')} and its own files: it is pure, framework-free TypeScript.`,
    },
  ],
};

/** `no-restricted-syntax` of pure code: no module loaded at run time. */
const NO_RUNTIME_LOADING = [
  { selector: 'ImportExpression', message: 'Domain code loads no modules at run time.' },
  {
    selector: 'CallExpression[callee.type="Identifier"][callee.name="require"]',
    message: 'Domain code loads no modules at run time.',
  },
];

/**
 * Application code (use cases, process managers, timers) talks to databases, HTTP, brokers and metrics through ports
 * whose adapters live in infrastructure/. It may name the transaction handle it is given and passes on
 * (`import type { PoolClient } from 'pg'`), nothing else of a driver (docs/adr/0008-application-ports.md).
 * @type {Restrictions}
 */
const APPLICATION_PORTS_ONLY = {
  paths: [
    {
      name: 'pg',
      allowImportNames: ['PoolClient'],
      message:
        'Application code may only name the transaction handle (`import type { PoolClient }`); SQL belongs in an adapter in infrastructure/ behind a port.',
    },
    {
      name: '@opentelemetry/api',
      importNames: ['metrics'],
      message:
        'Application code does not record metrics itself: use a metrics port; instruments live in infrastructure/.',
    },
    {
      name: '@aftersales/observability',
      importNames: ['metricsRegistry'],
      message: 'Application code does not register metrics: use a metrics port; instruments live in infrastructure/.',
    },
  ],
  patterns: [
    {
      regex: '^(pg[-/]|typeorm(/|$)|kafkajs(/|$))',
      message:
        'Application code uses no database or broker driver (pg-*, typeorm, kafkajs): adapters in infrastructure/ and libs/ do, behind ports.',
    },
    {
      regex: '^(node:)?(http|https|http2)(/|$)|^(undici|axios|got|node-fetch|superagent)(/|$)',
      message: 'Application code makes no HTTP calls: declare a port; its HTTP adapter lives in infrastructure/.',
    },
    {
      regex: '^(prom-client|@opentelemetry/(sdk-metrics|api-metrics|exporter-prometheus))(/|$)',
      message:
        'Application code does not record metrics itself: use a metrics port; instruments live in infrastructure/.',
    },
  ],
};

/** `no-restricted-syntax` for application code: SQL text runs in adapters, not here. */
const APPLICATION_SYNTAX = [
  {
    selector: 'CallExpression[callee.type="MemberExpression"][callee.property.name="query"]',
    message:
      'Application code runs no SQL (`.query(…)`): put the statement in an adapter in infrastructure/ behind a port (docs/adr/0008-application-ports.md).',
  },
];

/** `no-restricted-globals` for application code: `fetch` is an HTTP client. */
const APPLICATION_GLOBALS = [
  {
    name: 'fetch',
    message: 'Application code makes no HTTP calls: declare a port; its HTTP adapter lives in infrastructure/.',
  },
];

/** `@nx/enforce-module-boundaries`: what a project may depend on, by the tags in its project.json. */
const NX_BOUNDARIES = {
  enforceBuildableLibDependency: false,
  allowCircularSelfDependency: false,
  // main.ts loads the platform lazily (after telemetry starts) while modules import it statically.
  checkDynamicDependenciesExceptions: ['@aftersales/platform-http', '@aftersales/service-runtime'],
  depConstraints: [
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
    // Domain kits build on each other only (business-time's refusals are @aftersales/domain errors).
    { sourceTag: 'type:domain-kit', onlyDependOnLibsWithTags: ['type:domain-kit'] },
    // type:testing for tests only (*.spec.ts, domain `testing/` folders); `no-restricted-imports` enforces that per file.
    {
      sourceTag: 'type:lib',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:domain-kit', 'type:lib', 'type:testing'],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:domain-kit', 'type:lib', 'type:testing'],
    },
    {
      sourceTag: 'type:service',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:domain-kit', 'type:lib', 'type:testing'],
    },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    // scope:X depends only on scope:X and shared code: no service imports another service.
    ...SERVICES.map((s) => ({
      sourceTag: `scope:${s.scope}`,
      onlyDependOnLibsWithTags: [`scope:${s.scope}`, 'scope:shared'],
    })),
  ],
};

const FOCUSED_TEST =
  'Focused tests (`.only`, `fit`, `fdescribe`) silently skip the rest of the suite; remove before committing.';
/** `no-restricted-globals` of every file; a block that adds globals repeats these (its options replace the base's). */
const FOCUSED_GLOBALS = [
  { name: 'fit', message: FOCUSED_TEST },
  { name: 'fdescribe', message: FOCUSED_TEST },
];

/** @type {import('eslint').Linter.Config[]} */
module.exports = [
  {
    name: 'aftersales/ignores',
    ignores: ['**/node_modules/', '**/dist/', '**/coverage/', '.nx/', '.local/', '.cache/', 'contracts/asyncapi.yaml'],
  },
  { name: 'eslint/recommended', ...js.configs.recommended },
  ...tseslint.configs.recommended,
  {
    name: 'aftersales/base',
    files: ['**/*.{ts,js,cjs,mjs}'],
    languageOptions: {
      parserOptions: {
        // Mirror tsconfig.base.json: with decorator metadata on, `consistent-type-imports` leaves decorated
        // (NestJS) files alone, since tsc/ts-jest emit `design:paramtypes` that reference those imports as values.
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@nx': nxPlugin, sonarjs, local: localPlugin },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'sonarjs/cognitive-complexity': ['error', 20],
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].map((object) => ({ object, property: 'only', message: FOCUSED_TEST })),
      ],
      'no-restricted-globals': ['error', ...FOCUSED_GLOBALS],
      'no-restricted-imports': restrictImports(WORKSPACE_IMPORTS),
      'local/no-relative-import-across-boundary': [
        'error',
        // The contract tests exercise the contracts' build scripts (AsyncAPI generation, published baselines),
        // which are tooling rather than package API; nothing else reaches into a project by relative path.
        { allow: [{ from: 'test/contract/', to: 'contracts/scripts/' }] },
      ],
      // Applies itself to services' src/application and to layered libraries' src outside their infrastructure.
      'local/no-infrastructure-in-application': 'error',
      '@nx/enforce-module-boundaries': ['error', NX_BOUNDARIES],
    },
  },
  {
    name: 'aftersales/commonjs',
    files: ['**/*.{js,cjs}'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'aftersales/production-code',
    files: ['contracts/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/testing/**', 'libs/test-kit/**', '**/*.spec.ts'],
    rules: { 'no-restricted-imports': restrictImports(WORKSPACE_IMPORTS, TESTS_ONLY) },
  },
  {
    name: 'aftersales/domain-kits',
    files: DOMAIN_KITS.map((kit) => `${kit.root}/**/*.ts`),
    // Specs and the generators and builders of `testing/` folders are test code (fast-check, Jest).
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': restrictImports(WORKSPACE_IMPORTS, TESTS_ONLY, DOMAIN_KIT_ONLY),
      'no-restricted-syntax': ['error', ...NO_RUNTIME_LOADING],
    },
  },
  ...LAYERED_LIBS.map((root) => ({
    // A layered library's ports and policies: SQL, HTTP, brokers and metrics only in its src/infrastructure.
    name: `aftersales/lib:${path.posix.basename(root)}/application`,
    files: [`${root}/src/**/*.ts`],
    ignores: [`${root}/src/infrastructure/**`, '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': restrictImports(WORKSPACE_IMPORTS, TESTS_ONLY, APPLICATION_PORTS_ONLY),
      'no-restricted-globals': ['error', ...FOCUSED_GLOBALS, ...APPLICATION_GLOBALS],
      'no-restricted-syntax': ['error', ...APPLICATION_SYNTAX],
    },
  })),
  ...SERVICES.flatMap((s) => [
    {
      name: `aftersales/service:${s.scope}`,
      files: [`${s.root}/**/*.ts`],
      rules: { 'no-restricted-imports': restrictImports(WORKSPACE_IMPORTS, noServicePackages(s.scope), TESTS_ONLY) },
    },
    {
      // Tests, and the harnesses of a service's `src/testing/` folder (test support code, never loaded by main.ts).
      name: `aftersales/service:${s.scope}/tests`,
      files: [`${s.root}/**/*.spec.ts`, `${s.root}/src/testing/**/*.ts`],
      rules: { 'no-restricted-imports': restrictImports(WORKSPACE_IMPORTS, noServicePackages(s.scope)) },
    },
    {
      // Production application code: SQL, HTTP, brokers and metrics only through ports (tests may use drivers).
      name: `aftersales/service:${s.scope}/application`,
      files: [`${s.root}/src/application/**/*.ts`],
      ignores: ['**/*.spec.ts'],
      rules: {
        'no-restricted-imports': restrictImports(
          WORKSPACE_IMPORTS,
          noServicePackages(s.scope),
          TESTS_ONLY,
          APPLICATION_PORTS_ONLY,
        ),
        'no-restricted-globals': ['error', ...FOCUSED_GLOBALS, ...APPLICATION_GLOBALS],
        'no-restricted-syntax': ['error', ...APPLICATION_SYNTAX],
      },
    },
    {
      name: `aftersales/service:${s.scope}/domain`,
      files: [`${s.root}/src/domain/**/*.ts`],
      rules: {
        'no-restricted-imports': restrictImports(
          WORKSPACE_IMPORTS,
          noServicePackages(s.scope),
          domainOnly({ tests: false }),
        ),
        'no-restricted-syntax': ['error', ...NO_RUNTIME_LOADING],
      },
    },
    {
      name: `aftersales/service:${s.scope}/domain-tests`,
      files: [`${s.root}/src/domain/**/*.spec.ts`, `${s.root}/src/domain/**/testing/**/*.ts`],
      rules: {
        'no-restricted-imports': restrictImports(
          WORKSPACE_IMPORTS,
          noServicePackages(s.scope),
          domainOnly({ tests: true }),
        ),
      },
    },
  ]),
  {
    // Tests and the contracts' scripts use their own package through its public entry point, as consumers do.
    name: 'aftersales/self-import-through-public-api',
    files: ['**/*.spec.ts', 'contracts/scripts/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { ...NX_BOUNDARIES, allowCircularSelfDependency: true }] },
  },
  { name: 'prettier', ...prettier },
];
