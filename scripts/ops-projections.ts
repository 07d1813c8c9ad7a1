/**
 * The projections every service declares (`ServiceDefinition.projections`), for `npm run ops -- projection …`
 * (scripts/ops.ts loads this only for those commands: it imports every service).
 */
import type { ProjectionCatalogue } from '@aftersales/ops';
import { ApiServices } from './openapi/services';

export const projectionCatalogue: ProjectionCatalogue = Object.fromEntries(
  ApiServices.map((definition) => [definition.service, definition.projections ?? []]),
);
