import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { CaseIds } from '../../case-references';
import { StringEnum } from '../../schema';
import { RegionalAlarmCauses } from './vocabulary';

/**
 * `aftersales.logistics.regional-alarm-raised.v1` — stalled or lost shipments bound for (or leaving) one region exceeded
 * the tenant's threshold within its window (weather, holidays, a carrier outage). Published by logistics (issue 11) on
 * `aftersales.logistics.events`, keyed by `alarmId`; incidents consumes it as a special-scenario signal (seed 004
 * §4.1.1) and clusters it by region. At most one alarm per tenant, region and window.
 */
export const RegionalAlarmRaisedV1 = defineEvent({
  service: 'logistics',
  name: 'regional-alarm-raised',
  version: 1,
  summary: "Stalled or lost shipments in a region exceeded the tenant's threshold within its window.",
  subject: 'alarmId',
  schema: Type.Object(
    {
      alarmId: Type.String({ format: 'uuid', description: 'Alarm id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant whose shipments are affected.' }),
      region: Type.String({ minLength: 1, maxLength: 100, description: 'The region (destination or origin).' }),
      stalledShipments: Type.Integer({ minimum: 0, description: 'Shipments stalled in the region within the window.' }),
      lostShipments: Type.Integer({
        minimum: 0,
        description: 'Shipments declared lost in the region within the window.',
      }),
      affectedCustomers: Type.Integer({ minimum: 0, description: 'Distinct customers (orders) affected.' }),
      threshold: Type.Integer({ minimum: 1, description: "The tenant's threshold that was exceeded." }),
      windowStartedAt: Type.String({ format: 'date-time' }),
      windowEndsAt: Type.String({ format: 'date-time' }),
      carriers: Type.Array(Type.String({ minLength: 1 }), { description: 'Carriers of the affected shipments.' }),
      cause: StringEnum(RegionalAlarmCauses, { description: 'What is known of the cause.' }),
      caseIds: CaseIds('Cases of the affected shipments (at most 500), so the alarm shows on their timelines.'),
      raisedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.regional-alarm-raised.v1',
      title: 'RegionalAlarmRaised v1',
      description:
        'Stalled or lost shipments in one region exceeded the threshold within the window; incidents treats it as a special-scenario signal clustered by region.',
      examples: [
        {
          alarmId: '5e7a9c1b-3d5f-4a7b-8c9d-1e3f5a7b9c0d',
          tenantId: 'acme',
          region: 'CN-GD',
          stalledShipments: 42,
          lostShipments: 3,
          affectedCustomers: 44,
          threshold: 30,
          windowStartedAt: '2025-03-18T00:00:00.000Z',
          windowEndsAt: '2025-03-18T06:00:00.000Z',
          carriers: ['SF Express'],
          cause: 'weather',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
          raisedAt: '2025-03-18T05:12:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.regional-alarm-raised.v1`. */
export type RegionalAlarmRaisedV1 = EventData<typeof RegionalAlarmRaisedV1>;
