import { Type, type Static } from '@sinclair/typebox';
import { Services, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';

/** Query of `GET /cases/:caseId/timeline`. */
export const CaseTimelineQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'Entries per page, 1 to 500 (100).' }),
    ),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page.' }),
    ),
  },
  { additionalProperties: false },
);
export type CaseTimelineQuery = Static<typeof CaseTimelineQuery>;

/** `GET /cases/:caseId/timeline`: what happened to the case in every service, oldest first. */
export const CaseTimelineView = Type.Object(
  {
    caseId: Type.String({ format: 'uuid' }),
    entries: ReadonlyList(
      Type.Object({
        id: Type.String({ description: "The event's id (intake's stored event id, or the CloudEvent id ce_id)" }),
        at: DateTime({ description: 'When it happened, as the owning service recorded it' }),
        service: StringEnum(Services),
        eventType: Type.String({
          description: "Intake's event type (CaseOpened, ComplaintRegistered, …) or another service's CloudEvents type",
        }),
        actor: Type.Object({
          kind: StringEnum(['user', 'integration', 'system', 'service'] as const, {
            description:
              'user: a person (token subject); integration: a shop or channel system; system: a component of intake; service: another service that names no person',
          }),
          id: Type.Optional(Type.String()),
        }),
        summary: Type.String({ description: 'What happened, objectively: codes and figures, never personal data' }),
        link: Type.String({ description: "The resource's path in the owning service's API, e.g. /incidents/{id}" }),
      }),
      { description: 'Ordered by time, then intake before other services, then the order each source recorded them' },
    ),
    nextCursor: Nullable(Type.String(), { description: 'Pass as ?cursor= for the next page; null on the last page' }),
  },
  { title: 'CaseTimelineView' },
);
export type CaseTimelineView = Static<typeof CaseTimelineView>;
