import { CaseOpenedV1 } from '@aftersales/contracts';
import { decodeMessage } from './inbox-consumer';
import type { IncomingMessage } from './ports';

const payload = (CaseOpenedV1.schema.examples as CaseOpenedV1[])[0] as CaseOpenedV1;

function message(extensions: Record<string, string>): IncomingMessage {
  return {
    topic: CaseOpenedV1.topic,
    partition: 0,
    offset: '7',
    key: payload.caseId,
    value: Buffer.from(JSON.stringify(payload)),
    headers: {
      ce_specversion: '1.0',
      ce_id: 'event-1',
      ce_type: CaseOpenedV1.type,
      ce_source: '/aftersales/intake',
      'content-type': 'application/json',
      ...extensions,
    },
  };
}

describe('decodeMessage: the platform extensions (ADR 16)', () => {
  it('reads ce_tenantid, ce_correlationid and ce_causationid', () => {
    const decoded = decodeMessage(
      message({ ce_tenantid: payload.tenantId, ce_correlationid: 'corr-1', ce_causationid: 'cause-1' }),
    );
    expect(decoded).toMatchObject({
      ok: true,
      event: { tenant: payload.tenantId, correlationId: 'corr-1', causationId: 'cause-1' },
    });
  });

  it('reads the deprecated tenant, correlation_id and causation_id of contracts 0.1', () => {
    const decoded = decodeMessage(
      message({ tenant: payload.tenantId, correlation_id: 'corr-0', causation_id: 'cause-0' }),
    );
    expect(decoded).toMatchObject({
      ok: true,
      event: { tenant: payload.tenantId, correlationId: 'corr-0', causationId: 'cause-0' },
    });
  });

  it('prefers the CloudEvents names when both are sent (a 0.2 producer)', () => {
    const decoded = decodeMessage(
      message({
        ce_tenantid: payload.tenantId,
        ce_correlationid: 'corr-new',
        ce_causationid: 'cause-new',
        tenant: 'someone-else',
        correlation_id: 'corr-old',
        causation_id: 'cause-old',
      }),
    );
    expect(decoded).toMatchObject({
      ok: true,
      event: { tenant: payload.tenantId, correlationId: 'corr-new', causationId: 'cause-new' },
    });
  });

  it('without a correlation id the event starts its own flow (its ce_id)', () => {
    expect(decodeMessage(message({ ce_tenantid: payload.tenantId }))).toMatchObject({
      ok: true,
      event: { correlationId: 'event-1', causationId: undefined },
    });
  });

  it('dead-letters a message with neither tenant header as MISSING_HEADER, naming ce_tenantid', () => {
    expect(decodeMessage(message({}))).toMatchObject({
      ok: false,
      code: 'MISSING_HEADER',
      reason: 'missing CloudEvents headers: ce_tenantid',
    });
  });

  it('keeps tracestate for the consumer span', () => {
    expect(
      decodeMessage(
        message({
          ce_tenantid: payload.tenantId,
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          tracestate: 'vendor=v1',
        }),
      ),
    ).toMatchObject({ ok: true, event: { tracestate: 'vendor=v1' } });
  });
});
