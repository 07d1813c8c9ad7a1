import { randomUUID } from 'node:crypto';
import { RegionalAlarmRaisedV1 } from '@aftersales/contracts';
import { uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import type { IncidentEvent } from '../src/domain';
import { incidentsService } from '../src/incidents.module';

// CONTEXT: logistics (issue 11) publishes `regional-alarm-raised.v1`; until it runs here, the test plays logistics
// with the test kit's ContractPublisher, exactly as its outbox relay would publish (headers, key, schema).
describe('incidents: logistics regional alarms are special-scenario signals clustered by region (real Postgres + Kafka)', () => {
  const tenant = uniqueName('shop');
  const region = `cn-gd-${randomUUID().slice(0, 8)}`;
  let logistics: ContractPublisher;
  let incidents: TestService;

  const anAlarm = (overrides: Partial<RegionalAlarmRaisedV1> = {}): RegionalAlarmRaisedV1 => {
    const now = Date.now();
    return {
      alarmId: randomUUID(),
      tenantId: tenant,
      region,
      stalledShipments: 42,
      lostShipments: 3,
      affectedCustomers: 44,
      threshold: 30,
      windowStartedAt: new Date(now - 6 * 3_600_000).toISOString(),
      windowEndsAt: new Date(now).toISOString(),
      carriers: ['SF Express'],
      cause: 'weather',
      raisedAt: new Date(now - 60_000).toISOString(),
      ...overrides,
    };
  };

  /** The tenant's incident events of `type`, oldest first. */
  const eventsOf = async <T extends IncidentEvent['type']>(type: T) =>
    (
      await incidents.pool.query<{ stream_id: string; data: Extract<IncidentEvent, { type: T }>['data'] }>(
        `SELECT stream_id, data FROM es_events WHERE type = $1 AND metadata->>'tenant' = $2 ORDER BY position`,
        [type, tenant],
      )
    ).rows;

  beforeAll(async () => {
    logistics = await ContractPublisher.connect();
    incidents = await startTestService(incidentsService);
  });

  afterAll(async () => {
    await incidents?.close();
    await logistics?.close();
  });

  it('an alarm opens an L2 special-scenario incident for its region (regional service outage); later alarms of the region join it, a redelivered one adds nothing', async () => {
    const first = anAlarm();
    await logistics.publish(RegionalAlarmRaisedV1, first);
    const [opened] = await eventually(
      async () => {
        const rows = await eventsOf('IncidentOpened');
        return rows.length > 0 ? rows : undefined;
      },
      'an incident opened by the regional alarm',
      60_000,
    );
    expect(opened?.data).toMatchObject({
      category: 'special-scenario',
      level: 'L2',
      source: {
        kind: 'cluster',
        clusterKey: `region:${region.toUpperCase()}`,
        flags: { regionalOutage: true },
      },
      reason: `regionalOutage reported in complaint ${first.alarmId} forces L2`,
    });

    const second = anAlarm({ cause: 'carrier_outage' });
    await logistics.publish(RegionalAlarmRaisedV1, second);
    // The same alarm again under a new event id (a producer retry): the cluster has it already.
    await logistics.publish(RegionalAlarmRaisedV1, first);
    const attached = await eventually(
      async () => {
        const rows = await eventsOf('ComplaintAttached');
        return rows.some((r) => r.data.complaintId === second.alarmId) ? rows : undefined;
      },
      'the second alarm attached to the incident',
      60_000,
    );
    expect(attached.map((r) => [r.stream_id, r.data.complaintId])).toEqual([
      [opened?.stream_id, first.alarmId],
      [opened?.stream_id, second.alarmId],
    ]);
    expect(await eventsOf('IncidentOpened')).toHaveLength(1);
    const clustered = await incidents.pool.query(
      `SELECT 1 FROM es_events WHERE type = 'ComplaintClustered' AND metadata->>'tenant' = $1`,
      [tenant],
    );
    expect(clustered.rowCount).toBe(2);
  });
});
