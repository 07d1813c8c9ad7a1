import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findOpenApiBreakingChanges } from '../../scripts/openapi/compat';
import { ApiServices, REPO_ROOT, openApiBaselineFile, openApiFile } from '../../scripts/openapi/services';
import { serviceOpenApiDocument } from '@aftersales/service-runtime';

// CONTEXT: every service's HTTP API is published as services/<name>/openapi.json (generated from its route table; the
// inherited HTTP suite checks the running service serves exactly that), linted with Redocly CLI, and held to its
// published baseline (services/<name>/openapi.baseline.json): a change that breaks a client fails here.

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form JSON under test

describe('OpenAPI documents of the services', () => {
  it('covers every service under services/', () => {
    const services = readdirSync(join(REPO_ROOT, 'services'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(REPO_ROOT, 'services', entry.name, 'package.json')))
      .map((entry) => entry.name)
      .sort();
    expect(ApiServices.map((definition) => definition.service).sort()).toEqual(services);
  });

  it.each(ApiServices.map((definition) => [definition.service, definition] as const))(
    '%s: services/%s/openapi.json is up to date (if not: npx tsx scripts/generate-openapi.ts)',
    (_service, definition) => {
      const committed = JSON.parse(readFileSync(openApiFile(definition.service), 'utf8')) as unknown;
      expect(committed).toEqual(JSON.parse(JSON.stringify(serviceOpenApiDocument(definition))));
    },
  );

  it.each(ApiServices.map((definition) => [definition.service]))(
    '%s passes Redocly CLI lint (redocly.yaml) without errors or warnings',
    (service) => {
      const file = relative(REPO_ROOT, openApiFile(service));
      const result = spawnSync(
        process.execPath,
        [require.resolve('@redocly/cli/bin/cli.js'), 'lint', file, '--format=json'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      );
      const report = JSON.parse(result.stdout) as {
        totals: { errors: number; warnings: number };
        problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect(result.status).toBe(0);
    },
  );

  it.each(ApiServices.map((definition) => [definition.service]))(
    '%s breaks nothing of its published baseline (services/%s/openapi.baseline.json)',
    (service) => {
      const baseline = JSON.parse(readFileSync(openApiBaselineFile(service), 'utf8')) as Doc;
      const current = JSON.parse(readFileSync(openApiFile(service), 'utf8')) as Doc;
      expect(findOpenApiBreakingChanges(baseline, current)).toEqual([]);
    },
  );
});

describe('findOpenApiBreakingChanges', () => {
  const load = (): Doc => JSON.parse(readFileSync(openApiFile('returns'), 'utf8')) as Doc;
  /** The first operation with a JSON request body, its path and method. */
  const withBody = (doc: Doc): [string, string] => {
    for (const [path, item] of Object.entries(doc.paths as Doc)) {
      for (const [method, operation] of Object.entries(item as Doc)) {
        if ((operation as Doc).requestBody) return [path, method];
      }
    }
    throw new Error('no operation with a body');
  };
  const schemaOf = (doc: Doc, schema: Doc): Doc =>
    schema.$ref ? (doc.components.schemas[String(schema.$ref).split('/').pop() as string] as Doc) : schema;

  it('accepts an identical document and additive changes (new operation, new optional body property)', () => {
    const doc = load();
    const [path, method] = withBody(doc);
    const body = schemaOf(doc, doc.paths[path][method].requestBody.content['application/json'].schema);
    body.properties = { ...body.properties, note: { type: 'string' } };
    doc.paths['/brand-new'] = { get: { responses: { '200': { description: 'ok' } }, 'x-roles': [] } };
    expect(findOpenApiBreakingChanges(load(), load())).toEqual([]);
    expect(findOpenApiBreakingChanges(load(), doc)).toEqual([]);
  });

  it('detects a removed operation, a new required body property, a lost role and a removed success response', () => {
    const doc = load();
    const [path, method] = withBody(doc);
    const id = `${method.toUpperCase()} ${path}`;
    const operation = doc.paths[path][method];
    const body = schemaOf(doc, operation.requestBody.content['application/json'].schema);
    body.properties = { ...body.properties, mandatory: { type: 'string' } };
    body.required = [...(body.required ?? []), 'mandatory'];
    const roles = operation['x-roles'] as string[];
    operation['x-roles'] = roles.slice(1);
    const success = Object.keys(operation.responses).find((status) => status.startsWith('2')) as string;
    delete operation.responses[success];
    const [otherPath] = Object.keys(doc.paths).filter((p) => p !== path);
    delete doc.paths[otherPath as string];
    const problems = findOpenApiBreakingChanges(load(), doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        `${id}: request body $.mandatory: new required property`,
        `${id}: response ${success} removed`,
        expect.stringMatching(new RegExp(`: operation removed$`)),
        ...(roles.length > 1 ? [`${id}: role(s) ${roles[0]} no longer allowed`] : []),
      ]),
    );
  });

  it('detects a response property removed and a new required query parameter', () => {
    const doc = load();
    const get = Object.entries(doc.paths as Doc).find(([, item]) => (item as Doc).get?.responses?.['200']?.content);
    if (!get) throw new Error('no GET with a JSON response');
    const [path, item] = get as [string, Doc];
    const response = schemaOf(doc, item.get.responses['200'].content['application/json'].schema);
    const [property] = Object.keys(response.properties ?? {});
    delete response.properties[property as string];
    item.get.parameters = [
      ...(item.get.parameters ?? []),
      { in: 'query', name: 'mustHave', required: true, schema: { type: 'string' } },
    ];
    expect(findOpenApiBreakingChanges(load(), doc)).toEqual(
      expect.arrayContaining([
        `GET ${path}: parameter query:mustHave now required`,
        `GET ${path}: response 200 $.${property}: property removed`,
      ]),
    );
  });

  it('accepts a request body widened to a union that keeps its old shape, not one none of whose alternatives does', () => {
    const [path, method] = withBody(load());
    const id = `${method.toUpperCase()} ${path}`;
    const widened = (alternative: (old: Doc) => Doc): Doc => {
      const doc = load();
      const content = doc.paths[path][method].requestBody.content['application/json'];
      const old = schemaOf(doc, content.schema);
      content.schema = {
        anyOf: [alternative(old), { type: 'object', properties: { items: { type: 'array', items: old } } }],
      };
      return doc;
    };
    expect(
      findOpenApiBreakingChanges(
        load(),
        widened((old) => old),
      ),
    ).toEqual([]);
    const tightened = widened((old) => ({ ...old, required: [...(old.required ?? []), 'mandatory'] }));
    expect(findOpenApiBreakingChanges(load(), tightened)).toEqual([
      `${id}: request body $.mandatory: new required property`,
    ]);
  });
});
