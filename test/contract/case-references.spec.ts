import {
  CaseReferenceProperties,
  casesNamedBy,
  ComplaintAttachedV1,
  EventCatalogue,
  IncidentOpenedV1,
  refersToCases,
  SatisfactionMeasuredV1,
} from '@aftersales/contracts';

// CONTEXT: the architecture's rule "every event that concerns a case carries its id" is what intake's case timeline is
// built on: it consumes every other service's contract that may name a case, whatever its type. These tests hold the
// convention itself (`caseId` / `caseIds`, optional, UUIDs) so a new contract cannot name cases in a way the timeline
// would miss.
describe('case references in contracts', () => {
  const referring = EventCatalogue.filter((contract) => refersToCases(contract));

  it('incidents and surveys events name the cases they concern', () => {
    expect(refersToCases(IncidentOpenedV1)).toBe(true);
    expect(refersToCases(ComplaintAttachedV1)).toBe(true);
    expect(refersToCases(SatisfactionMeasuredV1)).toBe(true);
    const services = [...new Set(referring.map((contract) => contract.service))];
    expect(services).toEqual(expect.arrayContaining(['incidents', 'surveys']));
  });

  it.each(referring.map((contract) => [contract.type, contract] as const))(
    '%s names cases as optional uuid `caseId` or a uuid array `caseIds`',
    (_type, contract) => {
      const schema = contract.schema as unknown as {
        required?: string[];
        properties: Record<string, { type?: string; format?: string; items?: { format?: string } }>;
      };
      for (const name of CaseReferenceProperties) {
        const property = schema.properties[name];
        if (!property) continue;
        if (name === 'caseId') expect(property).toMatchObject({ type: 'string', format: 'uuid' });
        else expect(property).toMatchObject({ type: 'array', items: { format: 'uuid' }, uniqueItems: true });
        // Optional: an event about an aggregate that concerns no case still validates without it.
        if (contract.service !== 'intake') expect(schema.required ?? []).not.toContain(name);
      }
    },
  );

  it('reads the cases a payload names, distinct, in order, and none from a payload without them', () => {
    const a = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
    const b = '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c';
    expect(casesNamedBy({ caseIds: [a, b, a] })).toEqual([a, b]);
    expect(casesNamedBy({ caseId: a, caseIds: [b, a] })).toEqual([a, b]);
    expect(casesNamedBy({ incidentId: a })).toEqual([]);
    expect(casesNamedBy({ caseIds: 'not-a-list', caseId: 7 })).toEqual([]);
    expect(casesNamedBy(null)).toEqual([]);
  });
});
