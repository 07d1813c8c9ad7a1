import { EventCatalogue, validateEvent } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { historyOf } from '@aftersales/testing/decider';
import { deterministicUuid } from '@aftersales/eventstore';
import { incidentDecider, type IncidentEvent } from '../../domain';
import { actors, tenant } from '../../domain/testing/actors.fixture';
import { incidentCommands } from '../../domain/testing/incident.builder';
import { TestClock } from '../../domain/testing/test-clock';
import { incidentStream } from '../../application/incident-streams';
import { incidentsIntegrationEvents } from './integration-events';

const incidentId = deterministicUuid('incident|shop-1/product-quality/sku:BAT-100|batch:B-7|1');

function stored(events: readonly IncidentEvent[], streamId = incidentStream(incidentId)): StoredEvent[] {
  return events.map((event, index) => ({
    id: deterministicUuid(`event-${index}`),
    type: event.type,
    data: event.data,
    metadata: { tenant, actor: { id: 'x' }, correlationId: 'c' },
    position: BigInt(index + 1),
    transactionId: '1',
    streamId,
    streamVersion: index + 1,
    recordedAt: new Date('2026-11-25T08:00:00.000Z'),
  }));
}

/** An incident's whole life: opened, a complaint attached, upgraded, breached, then taken to closed. */
function aWholeLife(): IncidentEvent[] {
  const clock = new TestClock('2026-11-25T08:00:00.000Z');
  const command = incidentCommands(clock, incidentId);
  let history = historyOf(incidentDecider, [
    command.open(),
    command.attach({ complaintId: deterministicUuid('complaint-1'), customerRef: 'cus-1' }),
    command.upgrade({ toLevel: 'L2' }),
  ]);
  clock.advance({ hours: 2 });
  history = historyOf(incidentDecider, [command.flagBreach()], history);
  const steps = [
    command.contact({ customerRefs: ['cus-1'] }),
    command.rootCause({}, actors.techSupport),
    command.approve({}, actors.csDirector),
    command.implement(),
    command.confirm({ customerRef: 'cus-1' }),
    command.resolve(),
    command.satisfaction(),
    command.retrospective(),
    ...command.closureChecks('L2'),
    command.close(),
  ];
  return historyOf(incidentDecider, steps, history);
}

const survivorId = deterministicUuid('incident|shop-1/product-quality/sku:BAT-100|batch:B-7|survivor');

/**
 * A duplicate's short life: opened, upgraded to L2, downgraded back to L3 by the cs-director, then merged into the
 * survivor, which absorbs it.
 */
function aDowngradeAndMerge(): { duplicate: IncidentEvent[]; survivor: IncidentEvent[] } {
  const clock = new TestClock('2026-11-25T08:00:00.000Z');
  const command = incidentCommands(clock, incidentId);
  const survivorCommand = incidentCommands(clock, survivorId);
  const survivorOpened = historyOf(incidentDecider, [survivorCommand.open()]);
  let duplicate = historyOf(incidentDecider, [command.open(), command.upgrade({ toLevel: 'L2' })]);
  clock.advance({ minutes: 30 });
  duplicate = historyOf(
    incidentDecider,
    [command.downgrade({ toLevel: 'L3', reason: 'Complaints traced to one retailer' }, actors.csDirector)],
    duplicate,
  );
  clock.advance({ minutes: 15 });
  duplicate = historyOf(
    incidentDecider,
    [command.merge({ survivorId, reason: 'Same batch as the survivor' }, actors.csManager)],
    duplicate,
  );
  const merged = duplicate.at(-1);
  if (merged?.type !== 'IncidentMerged') throw new Error('expected the merge last');
  const survivor = historyOf(
    incidentDecider,
    [
      survivorCommand.absorb({
        duplicateId: incidentId,
        level: merged.data.level,
        contactDueAt: merged.data.contactDueAt,
        reason: merged.data.reason,
      }),
    ],
    survivorOpened,
  );
  return { duplicate, survivor };
}

describe('incidents integration events: domain events → published contracts', () => {
  const events = stored(aWholeLife());
  const published = events.flatMap((event) => {
    const integration = incidentsIntegrationEvents(event);
    return integration ? [{ event, integration }] : [];
  });

  it('publishes what integrators need, and nothing internal', () => {
    expect(published.map((p) => p.integration.type)).toEqual([
      'aftersales.incidents.incident-opened.v1',
      'aftersales.incidents.response-team-paged.v1',
      'aftersales.incidents.complaint-attached.v1',
      'aftersales.incidents.incident-escalated.v1',
      'aftersales.incidents.response-team-paged.v1',
      'aftersales.incidents.response-deadline-breached.v1',
      'aftersales.incidents.response-team-paged.v1',
      'aftersales.incidents.incident-resolved.v1',
      'aftersales.incidents.incident-closed.v1',
    ]);
  });

  it('every payload satisfies its contract (the relay refuses, and stalls on, one that does not)', () => {
    for (const { integration } of published) {
      const result = validateEvent(integration.type, integration.data);
      expect({ type: integration.type, problem: result.ok ? null : result.message }).toEqual({
        type: integration.type,
        problem: null,
      });
    }
  });

  it('keys every message by the incident id, with the tenant of the stored event', () => {
    for (const { integration } of published) {
      expect(integration.subject).toBe(incidentId);
      expect(integration.data).toMatchObject({ incidentId, tenantId: tenant });
    }
  });

  it('gives each page its event id as pageId (what pagers deduplicate on)', () => {
    const pages = published.filter((p) => p.integration.type === 'aftersales.incidents.response-team-paged.v1');
    for (const { event, integration } of pages) expect(integration.data).toMatchObject({ pageId: event.id });
    expect(pages.map((p) => (p.integration.data as { trigger: string }).trigger)).toEqual([
      'activation',
      'upgrade',
      'contact-deadline-breach',
    ]);
  });

  it("carries the level's satisfaction target on the resolution", () => {
    const resolved = published.find((p) => p.integration.type === 'aftersales.incidents.incident-resolved.v1');
    expect(resolved?.integration.data).toMatchObject({ level: 'L2', satisfactionTarget: 85 });
  });

  // Architecture: every event that concerns a case carries its id (intake's case timeline is built from them).
  it('names the cases of its complaints: the complaint its case, every later event all the cases so far', () => {
    const caseA = deterministicUuid('case-a');
    const caseB = deterministicUuid('case-b');
    const clock = new TestClock('2026-11-25T08:00:00.000Z');
    const command = incidentCommands(clock, incidentId);
    const life = historyOf(incidentDecider, [
      command.open({ caseIds: [caseA] }),
      command.attach({ complaintId: deterministicUuid('complaint-a'), customerRef: 'cus-a', caseId: caseA }),
      command.attach({ complaintId: deterministicUuid('complaint-b'), customerRef: 'cus-b', caseId: caseB }),
      command.attach({ complaintId: deterministicUuid('complaint-c'), customerRef: 'cus-c' }),
      command.upgrade({ toLevel: 'L2' }),
    ]);
    const payloads = stored(life).flatMap((event) => {
      const integration = incidentsIntegrationEvents(event);
      return integration ? [integration] : [];
    });
    for (const { type, data } of payloads) expect(validateEvent(type, data)).toMatchObject({ ok: true });
    expect(payloads.map(({ type, data }) => [type, pick(data, 'caseId', 'caseIds')])).toEqual([
      ['aftersales.incidents.incident-opened.v1', { caseIds: [caseA] }],
      ['aftersales.incidents.response-team-paged.v1', { caseIds: [caseA] }],
      ['aftersales.incidents.complaint-attached.v1', { caseId: caseA }],
      ['aftersales.incidents.complaint-attached.v1', { caseId: caseB }],
      ['aftersales.incidents.complaint-attached.v1', {}],
      ['aftersales.incidents.incident-escalated.v1', { caseIds: [caseA, caseB] }],
      ['aftersales.incidents.response-team-paged.v1', { caseIds: [caseA, caseB] }],
    ]);
  });

  it('publishes nothing of complaint clusters', () => {
    const [opened] = stored(aWholeLife(), 'complaint-cluster-shop-1/product-quality/sku:BAT-100');
    expect(incidentsIntegrationEvents(opened as StoredEvent)).toBeNull();
  });

  describe('downgrades and merges', () => {
    const { duplicate, survivor } = aDowngradeAndMerge();
    const duplicateEvents = stored(duplicate);
    const survivorEvents = stored(survivor, incidentStream(survivorId));
    const mapped = (events: StoredEvent[], type: IncidentEvent['type']) => {
      const event = events.find((e) => e.type === type);
      if (!event) throw new Error(`no ${type} in the history`);
      return incidentsIntegrationEvents(event);
    };

    it('publishes the downgrade: levels, reason, who decided it under which role, when', () => {
      expect(mapped(duplicateEvents, 'IncidentDowngraded')).toEqual({
        type: 'aftersales.incidents.incident-downgraded.v1',
        subject: incidentId,
        data: {
          incidentId,
          tenantId: tenant,
          fromLevel: 'L2',
          toLevel: 'L3',
          reason: 'Complaints traced to one retailer',
          decidedBy: { id: actors.csDirector.id, role: 'cs-director' },
          downgradedAt: '2026-11-25T08:30:00.000Z',
        },
      });
    });

    it("publishes the merge on the duplicate's key, naming the survivor", () => {
      expect(mapped(duplicateEvents, 'IncidentMerged')).toEqual({
        type: 'aftersales.incidents.incident-merged.v1',
        subject: incidentId,
        data: {
          incidentId,
          tenantId: tenant,
          survivorIncidentId: survivorId,
          level: 'L3',
          reason: 'Same batch as the survivor',
          mergedAt: '2026-11-25T08:45:00.000Z',
        },
      });
    });

    it("keeps the survivor's DuplicateAbsorbed internal (the merge already names the survivor)", () => {
      expect(survivorEvents.map((e) => e.type)).toContain('DuplicateAbsorbed');
      expect(mapped(survivorEvents, 'DuplicateAbsorbed')).toBeNull();
    });
  });

  it('every incidents contract of the catalogue is produced by the mapper, and every produced payload validates', () => {
    const { duplicate, survivor } = aDowngradeAndMerge();
    const all = [...events, ...stored(duplicate), ...stored(survivor, incidentStream(survivorId))].flatMap((e) => {
      const integration = incidentsIntegrationEvents(e);
      return integration ? [integration] : [];
    });
    for (const integration of all) {
      const result = validateEvent(integration.type, integration.data);
      expect({ type: integration.type, problem: result.ok ? null : result.message }).toEqual({
        type: integration.type,
        problem: null,
      });
    }
    const incidentsContracts = EventCatalogue.filter((c) => c.service === 'incidents').map((c) => c.type);
    expect(new Set(all.map((i) => i.type))).toEqual(new Set(incidentsContracts));
  });
});

/** The named properties of a payload that it has. */
function pick(data: unknown, ...names: string[]): Record<string, unknown> {
  const record = data as Record<string, unknown>;
  return Object.fromEntries(names.filter((name) => name in record).map((name) => [name, record[name]]));
}
