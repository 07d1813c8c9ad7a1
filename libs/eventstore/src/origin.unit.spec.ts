import type { Command, Decider, DomainEvent } from '@aftersales/domain';
import type { PostgresEventStore } from './event-store';
import {
  commandContextOf,
  Commands,
  eventMetadataOf,
  newAggregateId,
  systemOrigin,
  timerOrigin,
  type CommandOrigin,
} from './origin';

const origin: CommandOrigin = {
  tenant: 'shop-1',
  actor: { id: 'agent-7', roles: ['agent'] },
  correlationId: 'corr-1',
  causationId: 'evt-0',
  idempotencyKey: 'shop-1:key-1',
};

describe('command origin', () => {
  it('gives deciders the tenant, the actor and the time, and events their metadata', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(commandContextOf(origin, now)).toEqual({
      tenant: 'shop-1',
      actor: { id: 'agent-7', roles: ['agent'] },
      now,
    });
    expect(eventMetadataOf({ ...origin, reason: 'customer asked' })).toEqual({
      tenant: 'shop-1',
      actor: { id: 'agent-7', roles: ['agent'] },
      correlationId: 'corr-1',
      causationId: 'evt-0',
      reason: 'customer asked',
    });
  });

  it('names system actors after their component and keys their commands by the causing event', () => {
    expect(
      systemOrigin('surveys.case-register', { tenant: 't', correlationId: 'c', causationId: 'e-1' }, 'e-1'),
    ).toEqual({
      tenant: 't',
      actor: { id: 'system:surveys.case-register', roles: ['system'] },
      correlationId: 'c',
      causationId: 'e-1',
      idempotencyKey: 'e-1',
    });
  });

  it('keys a timer occurrence by its id and due time, and continues its correlation', () => {
    const dueAt = new Date('2026-12-01T10:30:00Z');
    const fired = timerOrigin(
      { id: 'incident:1:contact-deadline', tenant: 't', dueAt, metadata: { correlationId: 'c-9', causationId: 'e-9' } },
      { id: 'incidents.timer', roles: ['system'] },
    );
    expect(fired).toMatchObject({ tenant: 't', correlationId: 'c-9', causationId: 'e-9' });
    expect(fired.idempotencyKey).toBe('incident:1:contact-deadline@2026-12-01T10:30:00.000Z');
  });

  it('derives a new aggregate id from the idempotency key (a retried request finds the same aggregate)', () => {
    expect(newAggregateId(origin, 'case')).toBe(newAggregateId(origin, 'case'));
    expect(newAggregateId(origin, 'case')).not.toBe(newAggregateId(origin, 'complaint'));
    const { idempotencyKey: _key, ...withoutKey } = origin;
    expect(newAggregateId(withoutKey, 'case')).not.toBe(newAggregateId(withoutKey, 'case'));
  });
});

describe('Commands.handle', () => {
  type Open = Command<'Open', { readonly id: string }>;
  type Opened = DomainEvent<'Opened', { readonly id: string; readonly by: string; readonly at: string }>;
  const decider: Decider<number, Open, Opened> = {
    initialState: () => 0,
    decide: (c) => [
      { type: 'Opened', data: { id: c.data.id, by: c.context.actor.id, at: c.context.now.toISOString() } },
    ],
    evolve: (n) => n + 1,
  };

  /** An event store that only records what it was asked to append (the append itself is proven on Postgres). */
  function recordingStore() {
    const appends: Array<{ stream: string; events: Array<{ id: string; metadata: unknown; data: unknown }> }> = [];
    const store = {
      readStream: async () => [],
      append: async (
        stream: string,
        _expected: unknown,
        events: Array<{ id: string; metadata: unknown; data: unknown }>,
      ) => {
        appends.push({ stream, events });
        return { nextVersion: events.length, duplicate: false, firstPosition: 1n, lastPosition: 1n };
      },
    } as unknown as PostgresEventStore;
    return { store, appends };
  }

  it('decides at the clock with the origin as context and stores the origin as metadata', async () => {
    const { store, appends } = recordingStore();
    const commands = new Commands(store, () => new Date('2026-12-01T10:00:00Z'));
    const result = await commands.handle(decider, 'thing-1', origin, { type: 'Open', data: { id: '1' } });
    expect(result.newEvents).toEqual([
      { type: 'Opened', data: { id: '1', by: 'agent-7', at: '2026-12-01T10:00:00.000Z' } },
    ]);
    expect(appends[0]?.events[0]?.metadata).toEqual(eventMetadataOf(origin));
  });

  it('scopes the idempotency key per stream and command type, so one request may run several commands', async () => {
    const { store, appends } = recordingStore();
    const commands = new Commands(store, () => new Date());
    await commands.handle(decider, 'thing-1', origin, { type: 'Open', data: { id: '1' } });
    await commands.handle(decider, 'thing-1', origin, { type: 'Open', data: { id: '1' } });
    await commands.handle(decider, 'thing-2', origin, { type: 'Open', data: { id: '2' } });
    const [first, again, other] = appends.map((a) => a.events[0]?.id);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('takes an explicit key and time over the derived ones', async () => {
    const { store, appends } = recordingStore();
    const commands = new Commands(store, () => new Date('2026-12-01T10:00:00Z'));
    const at = new Date('2026-11-30T08:00:00Z');
    const result = await commands.handle(
      decider,
      'thing-1',
      origin,
      { type: 'Open', data: { id: '1' } },
      { now: at, idempotencyKey: 'k' },
    );
    const viaKey = await commands.handle(
      decider,
      'thing-9',
      origin,
      { type: 'Open', data: { id: '9' } },
      { idempotencyKey: 'k' },
    );
    expect(result.newEvents[0]?.data.at).toBe(at.toISOString());
    expect(appends[1]?.events[0]?.id).toBe(appends[0]?.events[0]?.id);
    expect(viaKey.eventIds).toEqual(result.eventIds);
  });
});
