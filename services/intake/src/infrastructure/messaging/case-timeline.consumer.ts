import { Controller, Inject } from '@nestjs/common';
import { casesNamedBy, type AnyEventContract } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { caseTimelineContracts } from '../../application/case-timeline.entries';
import { PostgresCaseTimeline } from '../persistence/case-timeline.postgres';

/**
 * Inbox consumer `case-timeline`: every event another service publishes that names a case (`caseId` or `caseIds`: see
 * `caseTimelineContracts`) goes on the timeline of each case it names, in the inbox transaction. Its topics follow from
 * those contracts (today incidents' and surveys'; returns', logistics' and compensation's as soon as their contracts
 * name cases). Dead letters: `aftersales.intake.case-timeline.dlq`.
 */
@Controller()
export class CaseTimelineConsumer {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(PostgresCaseTimeline) private readonly timeline: PostgresCaseTimeline) {}

  /** Records one event on the timeline of every case it names; an event naming none concerns no case. */
  async record(event: InboxEvent<unknown>): Promise<void> {
    await this.timeline.record(event.tx, {
      tenant: event.tenant,
      caseIds: casesNamedBy(event.data),
      source: event.source,
      id: event.id,
      type: event.type,
      subject: event.subject,
      occurredAt: occurredAt(event.time),
      payload: event.data,
    });
  }
}

/**
 * One `@Handles` method per contract, all applying `record`: the consumer handles events generically, and the
 * declarations keep what the service kit derives from them (topics, the poison-message suite, typed events).
 */
for (const contract of caseTimelineContracts as readonly AnyEventContract[]) {
  const method = `on-${contract.service}-${contract.name}-v${contract.version}`.replace(/-(\w)/g, (_, c: string) =>
    c.toUpperCase(),
  ); // onIncidentsIncidentOpenedV1
  Object.defineProperty(CaseTimelineConsumer.prototype, method, {
    value: function recordOnTimeline(this: CaseTimelineConsumer, event: InboxEvent<unknown>) {
      return this.record(event);
    },
    writable: true,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(CaseTimelineConsumer.prototype, method);
  if (descriptor) Handles(contract)(CaseTimelineConsumer.prototype, method, descriptor);
}

/** When it happened: `ce_time`, the time the producing service recorded it (its relay always sets it); else now. */
function occurredAt(ceTime: string | undefined): Date {
  const at = new Date(ceTime ?? Number.NaN);
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
