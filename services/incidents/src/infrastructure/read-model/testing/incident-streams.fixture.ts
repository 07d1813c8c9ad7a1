import { randomUUID } from 'node:crypto';
import {
  loadCheckpoint,
  type DurableSubscription,
  type PostgresEventStore,
  type StoredEvent,
} from '@aftersales/eventstore';
import type { Pool } from 'pg';
import type { IncidentEvent } from '../../../domain';
import { incidentStream } from '../../../application/incident-streams';

/**
 * The domain builders describe incident `INC-1` of tenant `shop-1`; this gives a history another incident id and
 * tenant, as if it had been decided for them.
 */
export function asIncident(events: readonly IncidentEvent[], incidentId: string, tenant: string): IncidentEvent[] {
  return events.map(
    (event) =>
      ({
        ...event,
        data: { ...event.data, incidentId, ...(event.type === 'IncidentOpened' ? { tenant } : {}) },
      }) as IncidentEvent,
  );
}

/**
 * Stores a history as the write side's handler would: one append per decision (consecutive events decided at the
 * same time by the same actor), with the decision's metadata. Returns the stored events in stream order.
 */
export async function recordIncident(
  store: PostgresEventStore,
  incidentId: string,
  tenant: string,
  events: readonly IncidentEvent[],
): Promise<StoredEvent[]> {
  const streamId = incidentStream(incidentId);
  const decisions: IncidentEvent[][] = [];
  for (const event of events) {
    const current = decisions.at(-1);
    const first = current?.[0];
    const sameDecision = first && first.data.at === event.data.at && first.data.actor.id === event.data.actor.id;
    if (current && sameDecision) current.push(event);
    else decisions.push([event]);
  }
  let causationId: string | undefined;
  for (const [index, decision] of decisions.entries()) {
    const first = decision[0] as IncidentEvent;
    const reason = 'reason' in first.data && typeof first.data.reason === 'string' ? first.data.reason : undefined;
    const metadata = {
      tenant,
      actor: { id: first.data.actor.id, roles: [first.data.actor.role] },
      correlationId: `corr-${incidentId}-${index + 1}`,
      ...(causationId ? { causationId } : {}),
      ...(reason ? { reason } : {}),
    };
    const stored = decision.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata }));
    await store.append(streamId, 'any', stored);
    causationId = stored.at(-1)?.id;
  }
  return store.readStream(streamId);
}

/**
 * Polls `subscription` until its checkpoint is past every stored event. A poll returning 0 is not enough: the store
 * hands out only transactions older than the oldest one still running on the whole server, so another test's open
 * transaction can hold back events that are already committed here.
 */
export async function catchUp(subscription: DurableSubscription, pool: Pool, name: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await subscription.poll()) > 0) continue;
    const checkpoint = await loadCheckpoint(pool, name);
    const { rows } = await pool.query<{ behind: number }>(
      `SELECT count(*)::int AS behind FROM es_events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`,
      [checkpoint.transactionId, checkpoint.position.toString()],
    );
    if (rows[0]?.behind === 0) return;
    if (Date.now() > deadline) throw new Error(`${name} is still ${rows[0]?.behind} events behind`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
