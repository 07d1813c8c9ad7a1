import { specOf } from '@aftersales/testing/decider';
import { alarmWindowOf, regionalAlarmDecider, type RaiseRegionalAlarm, type RegionalTally } from './regional-alarm';

const now = new Date('2026-12-01T07:30:00.000Z');
const tally = (shipments: number): RegionalTally => ({
  stalledShipments: shipments,
  lostShipments: 0,
  shipments,
  affectedCustomers: shipments,
  carriers: ['SF Express'],
  caseIds: [],
});
const raise = (shipments: number): RaiseRegionalAlarm => ({
  type: 'RaiseRegionalAlarm',
  context: { tenant: 'shop-1', actor: { id: 'system:logistics.tracking', roles: ['system'] }, now },
  data: {
    alarmId: '5e7a9c1b-3d5f-4a7b-8c9d-1e3f5a7b9c0d',
    region: 'CN-GD',
    window: alarmWindowOf(now.toISOString(), 6),
    tally: tally(shipments),
    threshold: 30,
  },
});
const given = specOf(regionalAlarmDecider);

describe('regional alarm', () => {
  it('windows are fixed spans from the epoch: 07:30 falls in 06:00–12:00 with 6 h windows', () => {
    expect(alarmWindowOf(now.toISOString(), 6)).toEqual({
      startedAt: '2026-12-01T06:00:00.000Z',
      endsAt: '2026-12-01T12:00:00.000Z',
    });
  });

  it('at the threshold nothing; above it the alarm is raised', () => {
    given([]).when(raise(30)).thenNothing();
    given([])
      .when(raise(31))
      .thenMatches([
        {
          type: 'RegionalAlarmRaised',
          data: { region: 'CN-GD', tenant: 'shop-1', threshold: 30, raisedAt: now.toISOString() },
        },
      ]);
  });

  it('once per tenant, region and window', () => {
    const raised = given([])
      .when(raise(31))
      .thenMatches([{ type: 'RegionalAlarmRaised' }]);
    given(raised).when(raise(40)).thenNothing();
  });
});
