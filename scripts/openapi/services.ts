/**
 * The services whose HTTP APIs are published as OpenAPI documents, and where those live: `services/<name>/openapi.json`
 * (generated, what the service serves at `GET /docs/openapi.json`) and `services/<name>/openapi.baseline.json` (the
 * published promise that a change must not break).
 */
import { join } from 'node:path';
import type { ServiceDefinition } from '@aftersales/service-runtime';
import { compensationService } from '@aftersales/compensation';
import { incidentsService } from '@aftersales/incidents';
import { intakeService } from '@aftersales/intake';
import { logisticsService } from '@aftersales/logistics';
import { returnsService } from '@aftersales/returns';
import { surveysService } from '@aftersales/surveys';

export const REPO_ROOT = join(__dirname, '..', '..');

export const ApiServices: readonly ServiceDefinition[] = [
  intakeService,
  returnsService,
  logisticsService,
  compensationService,
  incidentsService,
  surveysService,
];

export const openApiFile = (service: string): string => join(REPO_ROOT, 'services', service, 'openapi.json');
export const openApiBaselineFile = (service: string): string =>
  join(REPO_ROOT, 'services', service, 'openapi.baseline.json');
