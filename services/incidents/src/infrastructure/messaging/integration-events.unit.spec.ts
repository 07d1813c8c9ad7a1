import { validateEvent } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { deterministicUuid } from '../../application/incident-streams';
import { incidentDecider, type IncidentEvent } from '../../domain';
import { actors, tenant } from '../../domain/testing/actors.fixture';
import { historyOf } from '../../domain/testing/decider.spec-helper';
import { incidentCommands } from '../../domain/testing/incident.builder';
import { TestClock } from '../../domain/testing/test-clock';
import { incidentStreamId } from '../read-model/streams';
import { incidentsIntegrationEvents } from './integration-events';

const incidentId = deterministicUuid('incident|shop-1/product-quality/sku:BAT-100|batch:B-7|1');

function stored(events: readonly IncidentEvent[], streamId = incidentStreamId(incidentId)): StoredEvent[] {
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
    command.contact(),
    command.rootCause({}, actors.techSupport),
    command.approve({}, actors.csDirector),
    command.implement(),
    command.confirm(),
    command.resolve(),
    command.satisfaction(),
    command.retrospective(),
    command.close(),
  ];
  return historyOf(incidentDecider, steps, history);
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

  it('publishes nothing of complaint clusters', () => {
    const [opened] = stored(aWholeLife(), 'complaint-cluster-shop-1/product-quality/sku:BAT-100');
    expect(incidentsIntegrationEvents(opened as StoredEvent)).toBeNull();
  });
});
