import type { ComplaintRegisteredV1, RegionalAlarmRaisedV1 } from '@aftersales/contracts';
import { clusterKeyOf, noComplaintFlags } from '../domain';
import {
  ComplaintCategoryUnmapped,
  complaintFactsOf,
  regionalAlarmFactsOf,
} from './complaint-clustering.process-manager';
import { deterministicUuid } from '@aftersales/eventstore';

const complaint: ComplaintRegisteredV1 = {
  complaintId: '2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
  tenantId: 'shop-1',
  customerId: 'cus_7Hq2Lm9x',
  orderId: 'ORD-1',
  productSku: 'PB-20000',
  batch: 'B-7',
  category: 'product-quality',
  description: 'The power bank swelled while charging.',
  evidenceRefs: [],
  flags: { personalInjury: true, propertyLoss: false, mediaExposure: true, legalThreat: false },
  registeredAt: '2026-11-25T08:00:00.000Z',
};
const now = new Date('2026-11-25T08:00:00.000Z');
const fiveMinutes = 5 * 60_000;

describe('complaint clustering: ComplaintRegistered v1 → the facts the cluster decides on', () => {
  it('maps field by field: customerId is the opaque customer reference, flags are renamed (absent ones false)', () => {
    expect(complaintFactsOf(complaint, now, fiveMinutes)).toEqual({
      complaintId: complaint.complaintId,
      customerRef: 'cus_7Hq2Lm9x',
      orderId: complaint.orderId,
      category: 'product-quality',
      sku: 'PB-20000',
      batch: 'B-7',
      flags: {
        injury: true,
        propertyLoss: false,
        mediaExposure: true,
        legalThreat: false,
        groupEvent: false,
        brandRisk: false,
        regionalOutage: false,
        majorCustomerLoss: false,
      },
      receivedAt: '2026-11-25T08:00:00.000Z',
    });
  });

  it('reads the optional brandRisk, regionalOutage and majorCustomerLoss flags as they say', () => {
    const flagged = {
      ...complaint,
      flags: { ...complaint.flags, brandRisk: true, regionalOutage: true, majorCustomerLoss: true },
    };
    expect(complaintFactsOf(flagged, now, fiveMinutes).flags).toMatchObject({
      brandRisk: true,
      regionalOutage: true,
      majorCustomerLoss: true,
    });
  });

  it('reads the optional groupEvent flag: present as it says, absent as false', () => {
    const groupEvent = { ...complaint, flags: { ...complaint.flags, groupEvent: true } };
    expect(complaintFactsOf(groupEvent, now, fiveMinutes).flags.groupEvent).toBe(true);
    expect(complaintFactsOf(complaint, now, fiveMinutes).flags.groupEvent).toBe(false);
  });

  it('leaves out what the complaint does not say (no batch, no region)', () => {
    const facts = complaintFactsOf({ ...complaint, batch: undefined, region: undefined }, now, fiveMinutes);
    expect(facts).not.toHaveProperty('batch');
    expect(facts).not.toHaveProperty('region');
  });

  it("takes a complaint stamped slightly in this service's future (clock skew) as received now", () => {
    const skewed = { ...complaint, registeredAt: '2026-11-25T08:00:03.000Z' };
    expect(complaintFactsOf(skewed, now, fiveMinutes).receivedAt).toBe(now.toISOString());
  });

  it('keeps a complaint dated beyond the tolerance as it is, for the domain to refuse', () => {
    const future = { ...complaint, registeredAt: '2026-11-25T09:00:00.000Z' };
    expect(complaintFactsOf(future, now, fiveMinutes).receivedAt).toBe('2026-11-25T09:00:00.000Z');
  });

  it('refuses for good a category the incident domain does not know', () => {
    const unknown = { ...complaint, category: 'weather' } as unknown as ComplaintRegisteredV1;
    // A DomainError: the inbox dead-letters it with its code (HANDLER_REJECTED) instead of retrying it.
    expect(() => complaintFactsOf(unknown, now, fiveMinutes)).toThrow(ComplaintCategoryUnmapped);
  });
});

describe('deterministic ids', () => {
  it('are UUIDs (the contracts require them) and stable per key', () => {
    const id = deterministicUuid('incident|shop-1/product-quality/sku:PB-20000|batch:B-7|1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('incident|shop-1/product-quality/sku:PB-20000|batch:B-7|1')).toBe(id);
    expect(deterministicUuid('incident|shop-1/product-quality/sku:PB-20000|batch:B-7|2')).not.toBe(id);
  });
});

describe('regional alarms: RegionalAlarmRaised v1 → a special-scenario signal about its region (seed 004 §4(一)1)', () => {
  const alarm: RegionalAlarmRaisedV1 = {
    alarmId: '5e7a9c1b-3d5f-4a7b-8c9d-1e3f5a7b9c0d',
    tenantId: 'acme',
    region: 'CN-GD',
    stalledShipments: 42,
    lostShipments: 3,
    affectedCustomers: 44,
    threshold: 30,
    windowStartedAt: '2026-11-25T02:00:00.000Z',
    windowEndsAt: '2026-11-25T08:00:00.000Z',
    carriers: ['SF Express'],
    cause: 'weather',
    raisedAt: '2026-11-25T07:59:00.000Z',
  };

  it('clusters by region as a special scenario, counts the alarm once and flags a regional service outage', () => {
    expect(regionalAlarmFactsOf(alarm, now, fiveMinutes)).toEqual({
      complaintId: alarm.alarmId,
      customerRef: `logistics-alarm:${alarm.alarmId}`,
      category: 'special-scenario',
      region: 'CN-GD',
      flags: { ...noComplaintFlags, regionalOutage: true },
      receivedAt: '2026-11-25T07:59:00.000Z',
    });
    expect(clusterKeyOf(regionalAlarmFactsOf(alarm, now, fiveMinutes))).toBe('region:CN-GD');
  });

  it("an alarm raised slightly in this service's future counts as received now", () => {
    const ahead = { ...alarm, raisedAt: '2026-11-25T08:02:00.000Z' };
    expect(regionalAlarmFactsOf(ahead, now, fiveMinutes).receivedAt).toBe(now.toISOString());
  });
});
