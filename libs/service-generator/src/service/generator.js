// @ts-check
/**
 * `npx nx g @aftersales/service-generator:service <name> --aggregate=<Name>`: a new after-sales service on the
 * service kit. Plain JavaScript (checked by TypeScript through `// @ts-check`): Nx loads it without a transpiler.
 *
 * It writes `services/<name>/` (main, module, one decider and its spec, a command route and a read route, a migration,
 * a consumer of intake's cases, the inherited test suites and an integration test, a README) and registers the
 * service where the platform lists services: the contracts' service list, `npm start`'s ports and docker-compose.
 */
'use strict';

const path = require('node:path');
const { formatFiles, generateFiles, names } = require('@nx/devkit');

/** @typedef {{ name: string; aggregate: string; port?: number }} Options */

/**
 * @param {import('@nx/devkit').Tree} tree
 * @param {Options} options
 */
async function serviceGenerator(tree, options) {
  const service = options.name;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(service)) {
    throw new Error(`service name "${service}": use kebab-case, e.g. returns or after-sales-claims`);
  }
  if (!/^[A-Z][A-Za-z0-9]*$/.test(options.aggregate)) {
    throw new Error(`aggregate "${options.aggregate}": use PascalCase, e.g. ReturnRequest`);
  }
  const target = `services/${service}`;
  if (tree.exists(target)) throw new Error(`${target} exists already: pick another name or remove it first`);

  const port = registerPort(tree, service, options.port);
  registerInContracts(tree, service);
  registerPackagePath(tree, service);
  generateFiles(tree, path.join(__dirname, 'files'), target, substitutions(service, options.aggregate, port));
  registerInCompose(tree, service, port);
  await formatFiles(tree);

  return () => {
    console.log(
      [
        '',
        `services/${service} is ready (port ${port} under npm start). Next:`,
        `  npx jest --selectProjects unit integration --testPathPatterns services/${service}   # its tests, on real Kafka and Postgres`,
        '  npm start                                                                     # every service, this one included',
        '  docs/adding-a-service.md: publishing events (a contract), more consumers, workers, policies.',
      ].join('\n'),
    );
  };
}

/**
 * Every name the templates use, derived from the service and aggregate names.
 * @param {string} service @param {string} aggregate @param {number} port
 */
function substitutions(service, aggregate, port) {
  const serviceNames = names(service);
  const aggregateNames = names(aggregate);
  const plural = pluralOf(aggregateNames.className);
  const words = aggregateNames.fileName.split('-');
  return {
    tmpl: '',
    service,
    serviceCamel: serviceNames.propertyName,
    servicePascal: serviceNames.className,
    serviceSnake: service.replace(/-/g, '_'),
    aggregate: aggregateNames.className,
    aggregateCamel: aggregateNames.propertyName,
    aggregateKebab: aggregateNames.fileName,
    aggregateCode: aggregateNames.constantName,
    aggregateTitle: words.join(' '),
    aggregateSentence: `${words.join(' ').charAt(0).toUpperCase()}${words.join(' ').slice(1)}`,
    aggregatePlural: plural,
    aggregatePluralCamel: names(plural).propertyName,
    aggregatesKebab: names(plural).fileName,
    aggregateTitlePlural: names(plural).fileName.split('-').join(' '),
    timestamp: String(Date.now()),
    port,
  };
}

/** English plural of the last word of a PascalCase name: ReturnRequest → ReturnRequests, Delivery → Deliveries. */
function pluralOf(/** @type {string} */ name) {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

/**
 * The service's port in `npm start` (deploy/local/platform.ts): the one reserved for its name, else the given or the
 * next free one, added to `LOCAL_PORTS`.
 * @param {import('@nx/devkit').Tree} tree @param {string} service @param {number | undefined} requested
 */
function registerPort(tree, service, requested) {
  const file = 'deploy/local/platform.ts';
  const source = read(tree, file);
  const block = /export const LOCAL_PORTS: Record<string, number> = \{\n([\s\S]*?)\n\};/.exec(source);
  if (!block) throw new Error(`${file}: LOCAL_PORTS not found; add the service's port there by hand`);
  const entries = [...(block[1] ?? '').matchAll(/^\s*'?([a-z0-9-]+)'?: (\d+),?$/gm)].map((m) => ({
    name: m[1],
    port: Number(m[2]),
  }));
  const existing = entries.find((e) => e.name === service);
  if (existing && (requested === undefined || requested === existing.port)) return existing.port;
  const port = requested ?? Math.max(3000, ...entries.map((e) => e.port)) + 1;
  const taken = entries.find((e) => e.port === port && e.name !== service);
  if (taken) throw new Error(`port ${port} belongs to ${taken.name} in ${file}; pass another --port`);
  const kept = entries.filter((e) => e.name !== service).map((e) => `  ${quoteKey(e.name)}: ${e.port},`);
  const lines = [...kept, `  ${quoteKey(service)}: ${port},`].join('\n');
  tree.write(file, source.replace(block[0], `export const LOCAL_PORTS: Record<string, number> = {\n${lines}\n};`));
  return port;
}

const quoteKey = (/** @type {string} */ key) => (/^[a-z][a-z0-9]*$/.test(key) ? key : `'${key}'`);

/**
 * Adds the service to the platform's service list (contracts/src/services.ts), which names topics, sources and
 * dead-letter topics.
 * @param {import('@nx/devkit').Tree} tree @param {string} service
 */
function registerInContracts(tree, service) {
  const file = 'contracts/src/services.ts';
  const source = read(tree, file);
  const list = /export const Services = \[([^\]]*)\] as const;/.exec(source);
  if (!list) throw new Error(`${file}: the Services list was not found; add '${service}' to it by hand`);
  const current = [...(list[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
  if (current.includes(service)) return;
  const next = [...current, service].map((s) => `'${s}'`).join(', ');
  tree.write(file, source.replace(list[0], `export const Services = [${next}] as const;`));
}

/**
 * `@aftersales/<service>` → `services/<service>/src/index.ts` in tsconfig.base.json: the service's definition for the
 * repository's tooling (the OpenAPI generator, contract tests), imported by package name as the lint rules ask.
 * @param {import('@nx/devkit').Tree} tree @param {string} service
 */
function registerPackagePath(tree, service) {
  const file = 'tsconfig.base.json';
  const config = JSON.parse(read(tree, file));
  const paths = config.compilerOptions?.paths;
  if (!paths) throw new Error(`${file}: compilerOptions.paths was not found; add @aftersales/${service} by hand`);
  paths[`@aftersales/${service}`] = [`services/${service}/src/index.ts`];
  tree.write(file, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * A docker-compose service built from the one Dockerfile, with the shared environment and dependencies.
 * @param {import('@nx/devkit').Tree} tree @param {string} service @param {number} port
 */
function registerInCompose(tree, service, port) {
  const file = 'docker-compose.yml';
  if (!tree.exists(file)) return;
  const source = read(tree, file);
  if (new RegExp(`^  ${service}:$`, 'm').test(source)) return;
  const block = [
    `  ${service}:`,
    '    build:',
    '      context: .',
    '      dockerfile: deploy/docker/Dockerfile',
    '      args:',
    `        SERVICE: ${service}`,
    `    image: aftersales/${service}:local`,
    '    environment:',
    '      <<: *service-env',
    `      PORT: ${port}`,
    `      OTEL_SERVICE_NAME: ${service}`,
    '    ports:',
    `      - '127.0.0.1:${port}:${port}'`,
    '    depends_on: *service-deps',
    '    restart: unless-stopped',
    '',
  ].join('\n');
  const at = source.search(/^volumes:$/m);
  if (at < 0) throw new Error(`${file}: no top-level volumes: section to insert the service before`);
  tree.write(file, `${source.slice(0, at)}${block}\n${source.slice(at)}`);
}

/** @param {import('@nx/devkit').Tree} tree @param {string} file */
function read(tree, file) {
  const content = tree.read(file, 'utf-8');
  if (content === null) throw new Error(`${file} is missing: run the generator at the repository root`);
  return content;
}

module.exports = serviceGenerator;
module.exports.default = serviceGenerator;
module.exports.substitutions = substitutions;
