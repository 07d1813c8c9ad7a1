import { IncidentCategories, IncidentLevels, StringEnum } from '@aftersales/contracts';
import { Type, type Static } from '@sinclair/typebox';
import { IncidentPhases } from '../read-model/incident-views';

/**
 * `GET /incidents` query. Values arrive as strings; `limit` is 1–200 (default 50). Without `status` the list holds
 * open incidents only (neither closed nor merged).
 */
export const ListIncidentsQuery = Type.Object(
  {
    level: Type.Optional(StringEnum(IncidentLevels)),
    status: Type.Optional(StringEnum(IncidentPhases)),
    category: Type.Optional(StringEnum(IncidentCategories)),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|1[0-9]{2}|200)$', description: 'Page size, 1 to 200.' }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'nextCursor of the last page.' })),
  },
  { additionalProperties: false },
);
export type ListIncidentsQuery = Static<typeof ListIncidentsQuery>;

/** `GET /kpis` query: ISO 8601 dates or date-times; `to` defaults to now and `from` to 30 days before `to`. */
export const IncidentKpisQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type IncidentKpisQuery = Static<typeof IncidentKpisQuery>;

/**
 * `GET /knowledge-base` query: a category, a product SKU (compared trimmed and upper-cased, as cluster keys write it),
 * both or neither; `limit` 1–200 (default 50); `cursor` the previous page's `nextCursor`.
 */
export const KnowledgeBaseQuery = Type.Object(
  {
    category: Type.Optional(StringEnum(IncidentCategories)),
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Product SKU' })),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|1[0-9]{2}|200)$', description: 'Page size, 1 to 200.' }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'nextCursor of the last page.' })),
  },
  { additionalProperties: false },
);
export type KnowledgeBaseQuery = Static<typeof KnowledgeBaseQuery>;
