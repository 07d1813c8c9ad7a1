import { Type } from '@sinclair/typebox';
import {
  CaseOpenedV1,
  defineEvent,
  EventCatalogue,
  Topics,
  dlqTopic,
  eventSubject,
  eventTopic,
  findEventContract,
  parseCeType,
  validateEvent,
} from '@aftersales/contracts';

const validCaseOpened = (): CaseOpenedV1 => ({
  caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
  tenantId: 'acme',
  channel: 'chat',
  orderId: 'ORD-2025-000123',
  customerId: 'cus_7Hq2Lm9x',
  problemType: 'wrong-item',
  description: 'Ordered a blue kettle, received a red toaster.',
  evidence: [],
  openedAt: '2025-03-14T09:26:53.589Z',
});

describe('event contracts', () => {
  // CONTEXT: consumers check the envelope's `tenant` header against the payload's `tenantId` in one place (the inbox
  // dead-letters a mismatch as TENANT_MISMATCH), which works only if every contract carries a required tenantId.
  it.each(EventCatalogue.map((c) => [c.type, c] as const))(
    '%s carries a required string tenantId',
    (_type, contract) => {
      const schema = contract.schema as unknown as {
        required?: string[];
        properties: Record<string, { type?: string }>;
      };
      expect(schema.required).toContain('tenantId');
      expect(schema.properties.tenantId?.type).toBe('string');
    },
  );

  it('derive type, topic and subject from the declaration', () => {
    expect(CaseOpenedV1.type).toBe('aftersales.intake.case-opened.v1');
    expect(CaseOpenedV1.topic).toBe('aftersales.intake.events');
    expect(CaseOpenedV1.schema.$id).toBe(CaseOpenedV1.type);
    expect(eventSubject(CaseOpenedV1, validCaseOpened())).toBe('6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c');
  });

  it('reject inconsistent declarations', () => {
    const declare = (id: string) => () =>
      defineEvent({
        service: 'intake',
        name: 'thing-happened',
        version: 1,
        summary: 'A thing happened.',
        subject: 'thingId',
        schema: Type.Object({ thingId: Type.String(), count: Type.Number() }, { $id: id }),
      });
    expect(declare('aftersales.intake.thing-happened.v1')).not.toThrow();
    expect(declare('thing-happened')).toThrow('schema $id must be "aftersales.intake.thing-happened.v1"');
    const withSubject = (subject: 'count' | 'missing') => () =>
      defineEvent({
        service: 'intake',
        name: 'thing-happened',
        version: 1,
        summary: 'A thing happened.',
        // @ts-expect-error the subject must be a required string property of the payload
        subject,
        schema: Type.Object(
          { thingId: Type.String(), count: Type.Number() },
          { $id: 'aftersales.intake.thing-happened.v1' },
        ),
      });
    expect(withSubject('count')).toThrow('subject "count" must be a required string property');
    expect(withSubject('missing')).toThrow('subject "missing" must be a required string property');
  });

  it('have unique types (their examples are checked in examples.spec.ts)', () => {
    const types = EventCatalogue.map((contract) => contract.type);
    expect(new Set(types).size).toBe(types.length);
  });

  it('do not forbid additional properties (consumers must tolerate additive changes)', () => {
    const json = JSON.stringify(EventCatalogue.map((contract) => contract.schema));
    expect(json).not.toContain('"additionalProperties":false');
  });
});

describe('topics', () => {
  it('name one topic per service and one DLQ per consumer', () => {
    expect(Topics.intake).toBe('aftersales.intake.events');
    expect(eventTopic('surveys')).toBe('aftersales.surveys.events');
    expect(dlqTopic('returns', 'case-projector')).toBe('aftersales.returns.case-projector.dlq');
    expect(() => dlqTopic('returns', 'Case Projector')).toThrow(RangeError);
  });
});

describe('parseCeType', () => {
  it('splits a platform event type', () => {
    expect(parseCeType('aftersales.intake.case-opened.v1')).toEqual({
      service: 'intake',
      name: 'case-opened',
      version: 1,
    });
    expect(parseCeType('aftersales.returns.return-approved.v12')).toEqual({
      service: 'returns',
      name: 'return-approved',
      version: 12,
    });
  });

  it.each([
    '',
    'com.example.case-opened.v1',
    'aftersales.billing.case-opened.v1',
    'aftersales.intake.CaseOpened.v1',
    'aftersales.intake.case-opened',
    'aftersales.intake.case-opened.v0',
  ])('rejects %p', (ceType) => {
    expect(parseCeType(ceType)).toBeNull();
  });
});

describe('findEventContract', () => {
  it('finds a contract by exact type', () => {
    expect(findEventContract('aftersales.intake.case-opened.v1')).toBe(CaseOpenedV1);
    expect(findEventContract('aftersales.intake.case-opened.v2')).toBeUndefined();
  });
});

describe('validateEvent', () => {
  it('accepts a valid CaseOpened v1', () => {
    expect(validateEvent(CaseOpenedV1.type, validCaseOpened())).toEqual({ ok: true, contract: CaseOpenedV1 });
  });

  it('accepts optional fields and properties it does not know (additive changes)', () => {
    const data = {
      ...validCaseOpened(),
      desiredResolution: 'refund-only',
      purchasedAt: '2025-03-10T17:02:11Z',
      futureField: 42,
    };
    expect(validateEvent(CaseOpenedV1.type, data).ok).toBe(true);
  });

  it('does not fill in defaults or otherwise modify the payload', () => {
    const data = validCaseOpened();
    const { evidence: _omitted, ...withoutEvidence } = data;
    const frozen = Object.freeze({ ...withoutEvidence });
    validateEvent(CaseOpenedV1.type, frozen);
    expect(frozen).not.toHaveProperty('evidence');
  });

  it('reports SCHEMA_VIOLATION with the path of every violation', () => {
    const { description: _omitted, ...data } = validCaseOpened();
    const result = validateEvent(CaseOpenedV1.type, {
      ...data,
      caseId: 'not-a-uuid',
      channel: 'fax',
      evidence: [{ kind: 'photo', uri: 'not a uri' }],
      openedAt: 'yesterday',
    });
    expect(result).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION' });
    if (result.ok) return;
    expect(result.message).toContain(CaseOpenedV1.type);
    expect(result.errors?.map((error) => error.path).sort()).toEqual(
      ['/caseId', '/channel', '/description', '/evidence/0/uri', '/openedAt'].sort(),
    );
    expect(result.errors).toContainEqual({ path: '/caseId', message: 'must match format "uuid"' });
    expect(result.errors?.find((error) => error.path === '/channel')?.message).toContain('"order-page"');
  });

  it.each([
    ['a too long description', { description: 'x'.repeat(4001) }, '/description'],
    ['an unknown problem type', { problemType: 'other' }, '/problemType'],
    ['an evidence without uri', { evidence: [{ kind: 'photo' }] }, '/evidence/0/uri'],
    ['an empty tenant', { tenantId: '' }, '/tenantId'],
  ])('reports %s', (_case, patch, path) => {
    const result = validateEvent(CaseOpenedV1.type, { ...validCaseOpened(), ...patch });
    expect(result).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION', errors: [expect.objectContaining({ path })] });
  });

  it('reports a payload that is not an object', () => {
    expect(validateEvent(CaseOpenedV1.type, 'hello')).toMatchObject({
      ok: false,
      code: 'SCHEMA_VIOLATION',
      errors: [{ path: '', message: 'must be object' }],
    });
  });

  it('reports UNKNOWN_TYPE for events it has no contract for', () => {
    expect(validateEvent('aftersales.intake.case-teleported.v1', {})).toMatchObject({
      ok: false,
      code: 'UNKNOWN_TYPE',
    });
    expect(validateEvent('com.example.something', {})).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
  });

  it('reports UNKNOWN_VERSION for a known event in an unknown version', () => {
    const result = validateEvent('aftersales.intake.case-opened.v2', validCaseOpened());
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_VERSION' });
    if (!result.ok) expect(result.message).toContain('v1');
  });
});
