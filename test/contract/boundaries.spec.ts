import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';

/**
 * The architecture rules of eslint.config.js, proven on small in-memory snippets placed at virtual paths:
 * a rule that silently stopped matching (a renamed folder, an options block overriding another) fails here.
 */
const ROOT = join(__dirname, '..', '..');
const BOUNDARY_RULES = new Set([
  'no-restricted-imports',
  'no-restricted-syntax',
  'no-restricted-globals',
  'local/no-relative-import-across-boundary',
  'local/no-infrastructure-in-application',
  '@nx/enforce-module-boundaries',
]);

const INTAKE_DOMAIN = 'services/intake/src/domain/__boundaries__.ts';
const INTAKE_DOMAIN_SPEC = 'services/intake/src/domain/__boundaries__.unit.spec.ts';
const INTAKE_DOMAIN_BUILDER = 'services/intake/src/domain/testing/__boundaries__.builder.ts';
const INTAKE_INFRA = 'services/intake/src/infrastructure/__boundaries__.ts';
const INCIDENTS_APPLICATION = 'services/incidents/src/application/__boundaries__.ts';
const INCIDENTS_APPLICATION_NESTED = 'services/incidents/src/application/paging/__boundaries__.ts';
const INCIDENTS_APPLICATION_SPEC = 'services/incidents/src/application/__boundaries__.unit.spec.ts';
const INCIDENTS_INFRA = 'services/incidents/src/infrastructure/persistence/__boundaries__.ts';
const INCIDENTS_MODULE = 'services/incidents/src/__boundaries__.module.ts';
const NOTIFICATIONS_SRC = 'libs/notifications/src/__boundaries__.ts';
const NOTIFICATIONS_SPEC = 'libs/notifications/src/__boundaries__.unit.spec.ts';
const NOTIFICATIONS_INFRA = 'libs/notifications/src/infrastructure/__boundaries__.ts';
const MESSAGING_SRC = 'libs/messaging/src/__boundaries__.ts';
const BUSINESS_TIME_SRC = 'libs/business-time/src/__boundaries__.ts';
const BUSINESS_TIME_SPEC = 'libs/business-time/src/__boundaries__.unit.spec.ts';

let eslint: ESLint;

beforeAll(() => {
  // The repository's own config, passed as an object: ESLint loads config files with `import()`, which Jest's
  // CommonJS runtime refuses without --experimental-vm-modules. `overrideConfigFile: true` skips the file lookup.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const config = require(join(ROOT, 'eslint.config.js')) as Linter.Config[];
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: config });
});

async function lint(code: string, file: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result?.messages ?? [];
}

async function boundaryErrors(code: string, file: string): Promise<Linter.LintMessage[]> {
  const messages = await lint(code, file);
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages.filter((m) => m.severity === 2 && m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId));
}

describe('module boundaries (eslint.config.js)', () => {
  describe('domain code (services/*/src/domain)', () => {
    it('rejects NestJS', async () => {
      const errors = await boundaryErrors(
        "import { Injectable } from '@nestjs/common';\nexport const marker = Injectable;\n",
        INTAKE_DOMAIN,
      );
      expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
      expect(errors[0]?.message).toMatch(/NestJS/);
    });

    it('rejects kafkajs', async () => {
      const errors = await boundaryErrors(
        "import { Kafka } from 'kafkajs';\nexport const marker = Kafka;\n",
        INTAKE_DOMAIN,
      );
      expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
    });

    it.each([
      ['a platform library', "import { PostgresEventStore } from '@aftersales/eventstore';"],
      ['OpenTelemetry', "import { trace } from '@opentelemetry/api';"],
      ['Node.js I/O', "import { readFileSync } from 'node:fs';"],
      ['any other package', "import { Type } from '@sinclair/typebox';"],
      ['a file outside its domain folder', "import { CasesService } from '../application/open-case.handler';"],
    ])('rejects %s', async (_what, importLine) => {
      const errors = await boundaryErrors(
        `${importLine}\nexport const marker = [${importBinding(importLine)}];\n`,
        INTAKE_DOMAIN,
      );
      expect(errors.length).toBeGreaterThan(0);
    });

    it('rejects loading modules at run time', async () => {
      const errors = await boundaryErrors("export const load = () => import('pg');\n", INTAKE_DOMAIN);
      expect(errors.length).toBeGreaterThan(0);
    });

    it('accepts the business-time kit (SLA clocks in case state are computed with it)', async () => {
      const code = [
        "import { SlaClock, type BusinessCalendar } from '@aftersales/business-time';",
        'export type Marker = BusinessCalendar;',
        'export const marker = SlaClock;',
        '',
      ].join('\n');
      expect(await lint(code, INTAKE_DOMAIN)).toEqual([]);
    });

    it('accepts @aftersales/domain, type imports from @aftersales/contracts and files of its own folder', async () => {
      const code = [
        "import { DomainError, assertNever } from '@aftersales/domain';",
        "import type { CaseChannel } from '@aftersales/contracts';",
        "import type { CaseEvent } from './case.events';",
        'export class Rejected extends DomainError {}',
        'export type Marker = [CaseChannel, CaseEvent];',
        'export const never = assertNever;',
        '',
      ].join('\n');
      expect(await lint(code, INTAKE_DOMAIN)).toEqual([]);
    });

    describe('the test-only decider helper (@aftersales/testing/decider)', () => {
      const importHelper = [
        "import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';",
        'export const marker = [historyOf, specOf, stateOf];',
        '',
      ].join('\n');

      it.each([
        ['a domain spec', INTAKE_DOMAIN_SPEC],
        ['a builder in the domain testing/ folder', INTAKE_DOMAIN_BUILDER],
      ])('is accepted in %s', async (_what, file) => {
        expect(await lint(importHelper, file)).toEqual([]);
      });

      it('is rejected in production domain code', async () => {
        const errors = await boundaryErrors(importHelper, INTAKE_DOMAIN);
        expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
        expect(errors[0]?.message).toMatch(/test code/);
      });

      it('is not reachable from production domain code through a testing/ folder', async () => {
        const errors = await boundaryErrors(
          "import { incidentCommands } from './testing/incident.builder';\nexport const marker = incidentCommands;\n",
          INTAKE_DOMAIN,
        );
        expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
        expect(errors[0]?.message).toMatch(/testing\/` folder holds test code/);
      });

      it('is rejected in production code outside the domain', async () => {
        const errors = await boundaryErrors(importHelper, INTAKE_INFRA);
        expect(errors.map((e) => e.ruleId)).toContain('no-restricted-imports');
      });

      it('opens no other part of @aftersales/testing to domain specs', async () => {
        const errors = await boundaryErrors(
          "import { uniqueName } from '@aftersales/testing';\nexport const marker = uniqueName;\n",
          INTAKE_DOMAIN_SPEC,
        );
        expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
      });
    });
  });

  describe('application code (services/*/src/application): ports in application, adapters in infrastructure', () => {
    const LAYER_RULE = 'local/no-infrastructure-in-application';

    it.each([
      [
        'a relative import',
        INCIDENTS_APPLICATION,
        "import { PostgresPageDeliveryLedger } from '../infrastructure/persistence/page-deliveries.postgres';\nexport const marker = PostgresPageDeliveryLedger;\n",
      ],
      [
        'a type-only import',
        INCIDENTS_APPLICATION,
        "import type { PostgresClusterLinkRepository } from '../infrastructure/persistence/cluster-links.postgres';\n" +
          'export type Marker = PostgresClusterLinkRepository;\n',
      ],
      [
        'a re-export (the read side owning a convention the write side uses)',
        INCIDENTS_APPLICATION,
        "export { incidentReadWorkers } from '../infrastructure/read-model/incidents.projection';\n",
      ],
      [
        'a dynamic import',
        INCIDENTS_APPLICATION,
        "export const load = () => import('../infrastructure/read-model');\n",
      ],
      [
        'an import from a nested application folder',
        INCIDENTS_APPLICATION_NESTED,
        "import { PostgresPageDeliveryLedger } from '../../infrastructure/persistence/page-deliveries.postgres';\nexport const marker = PostgresPageDeliveryLedger;\n",
      ],
      [
        'an import by repository path',
        INCIDENTS_APPLICATION,
        "import { PostgresPageDeliveryLedger } from 'services/incidents/src/infrastructure/persistence/page-deliveries.postgres';\n" +
          'export const marker = PostgresPageDeliveryLedger;\n',
      ],
      [
        "an import through the service's package",
        INCIDENTS_APPLICATION,
        "import { PostgresPageDeliveryLedger } from '@aftersales/incidents/src/infrastructure/persistence/page-deliveries.postgres';\n" +
          'export const marker = PostgresPageDeliveryLedger;\n',
      ],
      [
        'an import in an application test',
        INCIDENTS_APPLICATION_SPEC,
        "import { PostgresPageDeliveryLedger } from '../infrastructure/persistence/page-deliveries.postgres';\nexport const marker = PostgresPageDeliveryLedger;\n",
      ],
    ])('rejects infrastructure reached by %s', async (_what, file, code) => {
      const errors = await boundaryErrors(code, file);
      expect(errors).toContainEqual(expect.objectContaining({ ruleId: LAYER_RULE, line: 1 }));
      expect(errors.find((e) => e.ruleId === LAYER_RULE)?.message).toMatch(/Declare a port/);
    });

    it('accepts its ports, its own files, the domain, libraries and the transaction handle type', async () => {
      const code = [
        "import type { PoolClient } from 'pg';",
        "import { trace } from '@opentelemetry/api';",
        "import { rescheduleTimer } from '@aftersales/eventstore';",
        "import type { Logger } from '@aftersales/observability';",
        "import { clusteringOutcome } from '../domain';",
        "import { NOTIFIER, TimerBackoff, type Notifier } from '@aftersales/notifications';",
        "import { PAGE_DELIVERY_LEDGER, type PageDeliveryLedger } from './page-deliveries.port';",
        'export type Marker = [PoolClient, Logger, Notifier, PageDeliveryLedger];',
        'export const marker = [trace, rescheduleTimer, clusteringOutcome, NOTIFIER, TimerBackoff, PAGE_DELIVERY_LEDGER];',
        '',
      ].join('\n');
      expect(await lint(code, INCIDENTS_APPLICATION)).toEqual([]);
    });

    it('lets infrastructure import application (adapters implement its ports)', async () => {
      const code = [
        "import type { PageDeliveryLedger, PageSubject } from '../../application/page-deliveries.port';",
        'export type Marker = [PageDeliveryLedger, PageSubject];',
        '',
      ].join('\n');
      expect(await boundaryErrors(code, INCIDENTS_INFRA)).toEqual([]);
    });

    it.each([
      ['a pg value import', "import { Pool } from 'pg';"],
      ['a pg type other than the transaction handle', "import type { Pool } from 'pg';"],
      ['pg as a whole', "import pg from 'pg';"],
      ['a pg add-on', "import Cursor from 'pg-cursor';"],
      ['an ORM', "import { DataSource } from 'typeorm';"],
      ['the Kafka client', "import { Kafka } from 'kafkajs';"],
      ['node:http', "import { request } from 'node:http';"],
      ['https', "import { get } from 'https';"],
      ['undici', "import { request } from 'undici';"],
      ['prom-client', "import { Counter } from 'prom-client';"],
      ['the OpenTelemetry metrics API', "import { metrics } from '@opentelemetry/api';"],
      ['the OpenTelemetry metrics SDK', "import { MeterProvider } from '@opentelemetry/sdk-metrics';"],
      ["the platform's metrics registry", "import { metricsRegistry } from '@aftersales/observability';"],
    ])('rejects %s in production application code', async (_what, importLine) => {
      const binding = importBinding(importLine) || /^import (?:type )?(\w+)/.exec(importLine)?.[1];
      const use = importLine.startsWith('import type')
        ? `export type Marker = ${binding};`
        : `export const marker = [${binding}];`;
      const errors = await boundaryErrors(`${importLine}\n${use}\n`, INCIDENTS_APPLICATION);
      expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
    });

    it('rejects fetch: HTTP goes through a port', async () => {
      const code = "export const page = (url: string) => fetch(url, { method: 'POST' });\n";
      const errors = await boundaryErrors(code, INCIDENTS_APPLICATION);
      expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-globals', line: 1 })]);
    });

    it('rejects SQL: a .query(…) call, on a pool or in a transaction', async () => {
      const code = [
        "import type { PoolClient } from 'pg';",
        'export async function links(tx: PoolClient, pool: { query(sql: string): Promise<unknown> }) {',
        "  await pool.query('SELECT 1');",
        "  return tx.query('SELECT incident_id FROM incidents_cluster_links');",
        '}',
        '',
      ].join('\n');
      const errors = await boundaryErrors(code, INCIDENTS_APPLICATION);
      expect(errors.map((e) => [e.ruleId, e.line])).toEqual([
        ['no-restricted-syntax', 3],
        ['no-restricted-syntax', 4],
      ]);
      expect(errors[0]?.message).toMatch(/runs no SQL/);
    });

    describe("a library's adapters (@aftersales/notifications/infrastructure)", () => {
      const importAdapters =
        "import { WebhookNotifier } from '@aftersales/notifications/infrastructure';\n" +
        'export const marker = WebhookNotifier;\n';

      it.each([
        ['production application code', INCIDENTS_APPLICATION],
        ['an application test', INCIDENTS_APPLICATION_SPEC],
      ])('are refused in %s: it depends on the ports, the module binds the adapters', async (_what, file) => {
        const errors = await boundaryErrors(importAdapters, file);
        expect(errors).toContainEqual(expect.objectContaining({ ruleId: LAYER_RULE, line: 1 }));
        expect(errors.find((e) => e.ruleId === LAYER_RULE)?.message).toMatch(/library's adapters/);
      });

      it("are bound in the service's module and may be used by its infrastructure", async () => {
        expect(await boundaryErrors(importAdapters, INCIDENTS_MODULE)).toEqual([]);
        expect(await boundaryErrors(importAdapters, INCIDENTS_INFRA)).toEqual([]);
      });
    });

    it('lets application tests use drivers (they are not production code), but not infrastructure', async () => {
      const code = "import { Pool } from 'pg';\nexport const marker = Pool;\n";
      expect(await boundaryErrors(code, INCIDENTS_APPLICATION_SPEC)).toEqual([]);
    });
  });

  describe('a layered library (libs/notifications): ports and policies in src, adapters in src/infrastructure', () => {
    const LAYER_RULE = 'local/no-infrastructure-in-application';

    it.each([
      ['a relative import', "import { WebhookNotifier } from './infrastructure/webhook-notifier';"],
      ['its infrastructure entry point', "import { WebhookNotifier } from '@aftersales/notifications/infrastructure';"],
    ])('refuses its infrastructure outside it, reached by %s', async (_what, importLine) => {
      const code = `${importLine}\nexport const marker = WebhookNotifier;\n`;
      for (const file of [NOTIFICATIONS_SRC, NOTIFICATIONS_SPEC]) {
        const errors = await boundaryErrors(code, file);
        expect(errors).toContainEqual(expect.objectContaining({ ruleId: LAYER_RULE, line: 1 }));
      }
    });

    it('holds the rest of its src to the application rules: no HTTP client, no SQL, no driver', async () => {
      const code = [
        "import { Pool } from 'pg';",
        "export const send = (url: string) => fetch(url, { method: 'POST' });",
        "export const read = (pool: Pool) => pool.query('SELECT 1');",
        '',
      ].join('\n');
      const errors = await boundaryErrors(code, NOTIFICATIONS_SRC);
      expect(errors.map((e) => [e.ruleId, e.line])).toEqual([
        ['no-restricted-imports', 1],
        ['no-restricted-globals', 2],
        ['no-restricted-syntax', 3],
      ]);
    });

    it('lets its infrastructure do HTTP and SQL', async () => {
      const code = [
        "import type { Pool } from 'pg';",
        "import type { Notifier } from '../notifier.port';",
        "export const send = (url: string) => fetch(url, { method: 'POST' });",
        "export const read = (pool: Pool) => pool.query('SELECT 1');",
        'export type Marker = Notifier;',
        '',
      ].join('\n');
      expect(await boundaryErrors(code, NOTIFICATIONS_INFRA)).toEqual([]);
    });
  });

  describe('services', () => {
    it('rejects importing another service by repository path', async () => {
      const errors = await boundaryErrors(
        "import { surveysService } from 'services/surveys/src/surveys.module';\nexport const marker = surveysService;\n",
        INTAKE_INFRA,
      );
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((e) => e.ruleId)).toContain('no-restricted-imports');
    });

    it('rejects importing another service by relative path', async () => {
      const errors = await boundaryErrors(
        "import { surveysService } from '../../../surveys/src/surveys.module';\nexport const marker = surveysService;\n",
        INTAKE_INFRA,
      );
      expect(errors.map((e) => e.ruleId)).toContain('local/no-relative-import-across-boundary');
    });

    it('rejects importing another service by package name', async () => {
      const errors = await boundaryErrors(
        "import { surveysService } from '@aftersales/surveys';\nexport const marker = surveysService;\n",
        INTAKE_INFRA,
      );
      expect(errors.map((e) => e.ruleId)).toContain('no-restricted-imports');
      expect(errors.find((e) => e.ruleId === 'no-restricted-imports')?.message).toMatch(/another service/);
    });

    it('keeps @aftersales/testing out of production code but allows it in tests', async () => {
      const code = "import { uniqueName } from '@aftersales/testing';\nexport const marker = uniqueName;\n";
      expect((await boundaryErrors(code, INTAKE_INFRA)).length).toBeGreaterThan(0);
      expect(await boundaryErrors(code, 'services/intake/src/infrastructure/__boundaries__.int.spec.ts')).toEqual([]);
    });
  });

  describe('contracts and cross-project imports', () => {
    it('rejects a deep import into @aftersales/contracts', async () => {
      const errors = await boundaryErrors(
        "import { Topics } from '@aftersales/contracts/src/topics';\nexport const marker = Topics;\n",
        MESSAGING_SRC,
      );
      expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
    });

    it('rejects a relative import into contracts/ from another project', async () => {
      const errors = await boundaryErrors(
        "import { Topics } from '../../../contracts/src/topics';\nexport const marker = Topics;\n",
        MESSAGING_SRC,
      );
      expect(errors.map((e) => e.ruleId)).toContain('local/no-relative-import-across-boundary');
    });

    it('rejects a relative import across libraries', async () => {
      const errors = await boundaryErrors(
        "import { PostgresEventStore } from '../../eventstore/src/event-store';\nexport const marker = PostgresEventStore;\n",
        MESSAGING_SRC,
      );
      expect(errors.map((e) => e.ruleId)).toContain('local/no-relative-import-across-boundary');
    });

    it('accepts @aftersales/contracts from its package root', async () => {
      const code = "import { Topics } from '@aftersales/contracts';\nexport const marker = Topics;\n";
      expect(await lint(code, MESSAGING_SRC)).toEqual([]);
    });
  });

  describe('domain kits (libs tagged type:domain-kit, e.g. libs/business-time)', () => {
    it('accepts @aftersales/domain and its own files', async () => {
      const code = [
        "import { DomainError } from '@aftersales/domain';",
        "import { addBusinessTime } from './business-time';",
        'export class Refused extends DomainError {}',
        'export const marker = addBusinessTime;',
        '',
      ].join('\n');
      expect(await lint(code, BUSINESS_TIME_SRC)).toEqual([]);
    });

    it.each([
      ['NestJS', "import { Injectable } from '@nestjs/common';"],
      ['Node.js built-ins', "import { readFileSync } from 'node:fs';"],
      ['a platform library', "import { PostgresEventStore } from '@aftersales/eventstore';"],
      ['a date package', "import { DateTime } from 'luxon';"],
      ['a relative import out of the library', "import { DomainError } from '../../domain/src';"],
    ])('rejects %s in production code', async (_what, importLine) => {
      const errors = await boundaryErrors(
        `${importLine}\nexport const marker = [${importBinding(importLine)}];\n`,
        BUSINESS_TIME_SRC,
      );
      expect(errors.length).toBeGreaterThan(0);
    });

    it('rejects loading modules at run time', async () => {
      const errors = await boundaryErrors("export const load = () => import('pg');\n", BUSINESS_TIME_SRC);
      expect(errors.map((e) => e.ruleId)).toContain('no-restricted-syntax');
    });

    it('keeps its testing/ folder (fast-check generators) out of production code', async () => {
      const code = "import { scenario } from './testing/arbitraries';\nexport const marker = scenario;\n";
      const errors = await boundaryErrors(code, BUSINESS_TIME_SRC);
      expect(errors).toEqual([expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1 })]);
      expect(errors[0]?.message).toMatch(/testing\/` folder holds test code/);
      const generator = "import fc from 'fast-check';\nexport const marker = fc;\n";
      expect(await boundaryErrors(generator, 'libs/business-time/src/testing/__boundaries__.ts')).toEqual([]);
    });

    it('lets its specs use fast-check and the library through its public entry point', async () => {
      const code = [
        "import fc from 'fast-check';",
        "import { addBusinessTime } from '@aftersales/business-time';",
        'export const marker = [fc, addBusinessTime];',
        '',
      ].join('\n');
      expect(await boundaryErrors(code, BUSINESS_TIME_SPEC)).toEqual([]);
    });
  });

  it('rejects focused tests', async () => {
    const code = "it.only('focused', () => undefined);\ndescribe.only('focused', () => undefined);\n";
    const messages = await lint(code, 'libs/domain/src/__boundaries__.unit.spec.ts');
    expect(messages.filter((m) => m.ruleId === 'no-restricted-properties')).toHaveLength(2);
  });
});

/** The names an `import { a, b } from '…'` line binds, to use them (an unused import is an error of its own). */
function importBinding(importLine: string): string {
  return /\{([^}]*)\}/.exec(importLine)?.[1] ?? '';
}
