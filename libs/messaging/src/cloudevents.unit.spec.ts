import type { Pool } from 'pg';
import { CaseOpenedV1, complaintPartitionKey, ComplaintRegisteredV1, type EventData } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { toKafkaMessage, type IntegrationEvent } from './cloudevents';
import { OutboxRelay } from './outbox-relay';
import type { MessageProducer, OutgoingMessage } from './ports';

const example = <T>(contract: { schema: { examples?: unknown } }): T => (contract.schema.examples as T[])[0] as T;
const caseOpened = example<EventData<typeof CaseOpenedV1>>(CaseOpenedV1);
const complaint = example<EventData<typeof ComplaintRegisteredV1>>(ComplaintRegisteredV1);

function stored(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
    type: 'Whatever',
    data: {},
    metadata: { tenant: 'acme', actor: { id: 'agent-1' }, correlationId: 'corr-1' },
    position: 7n,
    transactionId: '1234',
    streamId: 'stream-1',
    streamVersion: 1,
    recordedAt: new Date('2025-03-14T09:26:53.589Z'),
    ...overrides,
  };
}

describe('toKafkaMessage', () => {
  const integration: IntegrationEvent = { type: CaseOpenedV1.type, subject: caseOpened.caseId, data: caseOpened };

  it('keys by the subject by default', () => {
    const message = toKafkaMessage('intake', stored(), integration, undefined);
    expect(message.key).toBe(caseOpened.caseId);
    expect(message.headers.ce_subject).toBe(caseOpened.caseId);
  });

  it('keys by an explicit key, and ce_subject stays the subject', () => {
    const message = toKafkaMessage('intake', stored(), integration, undefined, 'acme|sku:PB-20000');
    expect(message.key).toBe('acme|sku:PB-20000');
    expect(message.headers.ce_subject).toBe(caseOpened.caseId);
  });

  it('the key changes nothing else of the message', () => {
    const event = stored({
      metadata: { tenant: 'acme', actor: { id: 'a' }, correlationId: 'corr-1', tracestate: 'k=v' },
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const byDefault = toKafkaMessage('intake', event, integration, traceparent);
    const explicit = toKafkaMessage('intake', event, integration, traceparent, 'other-key');
    expect({ ...explicit, key: null }).toEqual({ ...byDefault, key: null });
    expect(explicit.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: CaseOpenedV1.type,
      ce_source: '/aftersales/intake',
      ce_time: '2025-03-14T09:26:53.589Z',
      ce_subject: caseOpened.caseId,
      'content-type': 'application/json',
      ce_tenantid: 'acme',
      ce_correlationid: 'corr-1',
      ce_causationid: event.id,
      // Deprecated names of contracts 0.1, sent beside the CloudEvents ones for one version (ADR 16).
      tenant: 'acme',
      correlation_id: 'corr-1',
      causation_id: event.id,
      traceparent,
      tracestate: 'k=v',
    });
    expect(JSON.parse(explicit.value as string)).toEqual(caseOpened);
  });
});

describe('OutboxRelay key choice', () => {
  /** The relay's mapping of one stored event, without a database or broker (`toMessage` is private). */
  function relayMessages(integration: IntegrationEvent): OutgoingMessage[] {
    const producer: MessageProducer = { send: () => Promise.resolve(), disconnect: () => Promise.resolve() };
    const relay = new OutboxRelay({
      service: 'intake',
      topic: CaseOpenedV1.topic,
      pool: {} as Pool,
      messaging: { producer: () => Promise.resolve(producer) },
      toIntegrationEvent: () => integration,
    });
    return (relay as unknown as { toMessage(event: StoredEvent): OutgoingMessage[] }).toMessage(stored());
  }

  it('keys an event by its subject when its contract has no partition key', () => {
    const [message] = relayMessages({ type: CaseOpenedV1.type, subject: caseOpened.caseId, data: caseOpened });
    expect(message?.key).toBe(caseOpened.caseId);
    expect(message?.headers.ce_subject).toBe(caseOpened.caseId);
  });

  it("keys ComplaintRegistered by the contract's partition key, with the complaint id as ce_subject", () => {
    const data = { ...complaint, productSku: ' pb-20000 ', batch: 'B-2025-09' };
    const [message] = relayMessages({ type: ComplaintRegisteredV1.type, subject: data.complaintId, data });
    expect(message?.key).toBe(`${data.tenantId}|sku:PB-20000|batch:B-2025-09`);
    expect(message?.key).toBe(complaintPartitionKey(data));
    expect(message?.headers.ce_subject).toBe(data.complaintId);
  });
});
