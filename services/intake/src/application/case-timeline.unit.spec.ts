import { EventCatalogue, refersToCases } from '@aftersales/contracts';
import {
  caseTimelineContracts,
  intakeEntry,
  publishedEntry,
  type IntakeCaseEvent,
  type PublishedCaseEvent,
} from './case-timeline.entries';
import { comparePositions, decodeTimelineCursor, encodeTimelineCursor } from './case-timeline.query';

const caseId = '8d2f7a1e-2b9c-4c3d-9e8f-1a2b3c4d5e6f';
const incidentId = 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74';
const at = new Date('2026-11-25T10:00:00.123Z');

const intakeEvent = (overrides: Partial<IntakeCaseEvent> = {}): IntakeCaseEvent => ({
  id: 'e-1',
  streamId: `case-${caseId}`,
  type: 'CaseOpened',
  data: { caseId, channel: 'phone', problemType: 'logistics', description: 'Li Na, 12 Garden Road' },
  actor: { id: 'agent-7', roles: ['agent'] },
  recordedAt: at,
  ...overrides,
});

const published = (type: string, payload: Record<string, unknown>): PublishedCaseEvent => ({
  id: 'ce-1',
  type,
  occurredAt: at,
  payload: { incidentId, tenantId: 'shop-1', caseIds: [caseId], ...payload },
});

describe('case timeline entries', () => {
  describe("intake's own events", () => {
    it('describes a known event by its codes, never its free text, and links the case', () => {
      expect(intakeEntry(caseId, intakeEvent())).toEqual({
        id: 'e-1',
        at: '2026-11-25T10:00:00.123Z',
        service: 'intake',
        eventType: 'CaseOpened',
        actor: { kind: 'user', id: 'agent-7' },
        summary: 'Case opened on phone: logistics',
        link: `/cases/${caseId}`,
      });
    });

    it('reads an event type it has no summary for as a sentence: new lifecycle events appear as they are added', () => {
      const entry = intakeEntry(caseId, intakeEvent({ type: 'SolutionProposed', data: { caseId, options: [] } }));
      expect(entry).toMatchObject({ eventType: 'SolutionProposed', summary: 'Solution proposed' });
      expect(intakeEntry(caseId, intakeEvent({ type: 'CaseNoteAdded' })).summary).toBe('Case note added');
      expect(
        intakeEntry(
          caseId,
          intakeEvent({ type: 'SlaClockMet', data: { clockId: 'first_response', late: true, consumedMs: 20000 } }),
        ).summary,
      ).toBe('SLA clock first_response met late after 20000 ms');
    });

    it('links an event of another stream to its own resource (the complaint, the review)', () => {
      const complaint = intakeEvent({
        streamId: 'complaint-2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
        type: 'ComplaintRegistered',
        data: { caseId, category: 'service-failure', flags: { personalInjury: false, legalThreat: true } },
      });
      expect(intakeEntry(caseId, complaint)).toMatchObject({
        link: '/complaints/2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
        summary: 'Complaint registered: service-failure (legal threat)',
      });
      const review = intakeEvent({
        streamId: 'review-0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
        type: 'ReviewRegistered',
        data: { caseId, sentiment: 'negative', rating: 2 },
      });
      expect(intakeEntry(caseId, review)).toMatchObject({
        link: '/reviews/0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
        summary: 'Review registered: negative, rated 2/5',
      });
    });

    it('tells people, integrations and intake’s own components apart', () => {
      const actor = (id: string, roles: string[]) => intakeEntry(caseId, intakeEvent({ actor: { id, roles } })).actor;
      expect(actor('agent-7', ['agent'])).toEqual({ kind: 'user', id: 'agent-7' });
      expect(actor('shop-connector', ['integrator'])).toEqual({ kind: 'integration', id: 'shop-connector' });
      expect(actor('system:intake.reviews', ['system'])).toEqual({ kind: 'system', id: 'intake.reviews' });
    });
  });

  describe("other services' events", () => {
    it('describes incidents’ events by level and codes, linked to the incident, acted by the service', () => {
      expect(
        publishedEntry(
          published('aftersales.incidents.incident-escalated.v1', {
            fromLevel: 'L3',
            toLevel: 'L2',
            reason: 'Zhang complained on TV',
          }),
        ),
      ).toEqual({
        id: 'ce-1',
        at: '2026-11-25T10:00:00.123Z',
        service: 'incidents',
        eventType: 'aftersales.incidents.incident-escalated.v1',
        actor: { kind: 'service', id: 'incidents' },
        summary: 'Incident escalated from L3 to L2',
        link: `/incidents/${incidentId}`,
      });
    });

    it('names the person who decided when the event says so', () => {
      const downgraded = published('aftersales.incidents.incident-downgraded.v1', {
        fromLevel: 'L2',
        toLevel: 'L3',
        decidedBy: { id: 'dir-1', role: 'cs-director' },
      });
      expect(publishedEntry(downgraded).actor).toEqual({ kind: 'user', id: 'dir-1' });
    });

    it("links surveys' events to the survey answered, else to the incident's satisfaction", () => {
      const surveyId = '3e7a9c1b-5d2f-4a8e-9b6c-1d0e2f3a4b5c';
      const measured = published('aftersales.surveys.satisfaction-measured.v1', {
        surveyId,
        satisfactionPercent: 50,
        responses: 2,
        targetPercent: 85,
      });
      expect(publishedEntry(measured)).toMatchObject({ service: 'surveys', link: `/surveys/${surveyId}` });
      const below = published('aftersales.surveys.satisfaction-below-target.v1', {
        satisfactionPercent: 50,
        targetPercent: 85,
      });
      expect(publishedEntry(below)).toMatchObject({
        link: `/incidents/${incidentId}/satisfaction`,
        summary: 'Satisfaction 50 % fell below the target of 85 %: follow-up needed',
      });
    });

    it("links returns', logistics' and compensation's events to their return, shipment and compensation order", () => {
      const returnId = 'a3c1e5f7-2b4d-4f6a-8c0e-1d3f5b7a9c2e';
      const shipmentId = 'b7d9f1a3-5c2e-4a8b-9d6f-3e1c5a7b9d0f';
      const compensationId = 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e';
      const entry = (type: string, payload: Record<string, unknown>) =>
        publishedEntry({ id: 'ce-1', type, occurredAt: at, payload: { tenantId: 'shop-1', caseId, ...payload } });
      expect(
        entry('aftersales.returns.refund-requested.v1', { returnId, amount: { amountMinor: 19900, currency: 'CNY' } }),
      ).toMatchObject({
        service: 'returns',
        actor: { kind: 'service', id: 'returns' },
        summary: 'Refund of 199.00 CNY requested',
        link: `/returns/${returnId}`,
      });
      expect(
        entry('aftersales.logistics.shipment-delivered.v1', { shipmentId, returnId, purpose: 'return' }),
      ).toMatchObject({
        service: 'logistics',
        summary: 'Shipment (return) delivered',
        link: `/shipments/${shipmentId}`,
      });
      expect(
        entry('aftersales.compensation.refund-paid.v1', {
          compensationId,
          returnId,
          amount: { amountMinor: 500, currency: 'JPY' },
        }),
      ).toMatchObject({
        service: 'compensation',
        summary: 'Refund of 500 JPY paid',
        link: `/compensations/${compensationId}`,
      });
    });

    it('gives every contract that reaches the timeline a summary without the free text of its payload', () => {
      for (const contract of caseTimelineContracts) {
        const example = (contract.schema as { examples?: Array<Record<string, unknown>> }).examples?.[0] ?? {};
        const entry = publishedEntry({ id: 'ce-1', type: contract.type, occurredAt: at, payload: example });
        expect(entry.summary.length).toBeGreaterThan(0);
        const properties = contract.schema.properties as Record<string, { enum?: unknown }>;
        for (const field of ['summary', 'reason', 'description', 'explanation']) {
          // Free text, not a code: a code (an enum value such as returns' `reason: quality`) may be summarised.
          const value = example[field];
          if (typeof value === 'string' && !properties[field]?.enum) expect(entry.summary).not.toContain(value);
        }
        expect(entry.link).toMatch(/^\/[a-z-]+\/[0-9a-f-]{36}/);
      }
    });
  });

  it("consumes every other service's contract that names cases, and nothing of intake's", () => {
    const expected = EventCatalogue.filter((c) => c.service !== 'intake' && refersToCases(c)).map((c) => c.type);
    expect(caseTimelineContracts.map((c) => c.type)).toEqual(expected);
    expect(expected).toEqual(
      expect.arrayContaining([
        'aftersales.incidents.incident-opened.v1',
        'aftersales.incidents.complaint-attached.v1',
        'aftersales.surveys.satisfaction-measured.v1',
        'aftersales.returns.return-requested.v1',
        'aftersales.logistics.shipment-delivered.v1',
        'aftersales.compensation.refund-failed.v1',
      ]),
    );
  });
});

describe('case timeline order and cursor', () => {
  it('orders by time, then intake before other services, then each source’s sequence', () => {
    const positions = [
      { atMs: 2, origin: 0, sequence: '1' },
      { atMs: 1, origin: 1, sequence: '9' },
      { atMs: 1, origin: 1, sequence: '10' },
      { atMs: 1, origin: 0, sequence: '500' },
    ] as const;
    expect([...positions].sort(comparePositions)).toEqual([positions[3], positions[1], positions[2], positions[0]]);
  });

  it('round-trips a position through its cursor, and refuses anything else', () => {
    const position = { atMs: 1_764_064_800_123, origin: 1, sequence: '9007199254740993' } as const;
    expect(decodeTimelineCursor(encodeTimelineCursor(position))).toEqual(position);
    for (const cursor of ['', 'bm90LWEtY3Vyc29y', Buffer.from('1.2.3').toString('base64url'), '%%%']) {
      expect(decodeTimelineCursor(cursor)).toBeNull();
    }
  });
});
