import type { Pool, PoolClient } from 'pg';
import { StreamSession, type ServiceDatabase, type Timer, type TimerBatch } from '@aftersales/eventstore';
import { NotificationDeliveryFailed } from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import { ShipmentNotFound } from '../domain/shipment.errors';
import { defaultLogisticsPolicy } from '../domain/tracking-policy';
import { firingOrder, LogisticsTimers } from './logistics-timers.worker';
import type { LogisticsConfig } from './logistics.config';
import type { ShipmentNotices } from './shipment-notices';
import type { ShipmentsService, TrackingCheck } from './shipments.service';
import { logisticsTimerKinds } from './tracking-timers';

// The burst of timers a transaction claims: tracking timers checked and notices delivered set-based by prepare (each
// tenant's policy read once), all of them fired by it; when that fails, each fires on its own on one session, and one whose effects roll back leaves
// nothing in it.

const tracking = (shipmentId: string, tenant = 'shop-a', dueMs = 0): Timer => ({
  id: `tracking:${shipmentId}:3`,
  tenant,
  kind: logisticsTimerKinds.tracking,
  dueAt: new Date(1_000_000 + dueMs),
  payload: { shipmentId },
});
const notice = (key: string, dueMs = 0): Timer => ({
  id: key,
  tenant: 'shop-a',
  kind: logisticsTimerKinds.notice,
  dueAt: new Date(1_000_000 + dueMs),
  payload: {},
});

/** The `TimerBatch` a claiming transaction shares between its timers (memoised per key, as the scheduler's). */
function batch(): TimerBatch {
  const memo = new Map<string, Promise<unknown>>();
  return {
    once: <T>(key: string, load: () => Promise<T>) => {
      if (!memo.has(key)) memo.set(key, load());
      return memo.get(key) as Promise<T>;
    },
  };
}

class Harness extends LogisticsTimers {
  runPrepare(timers: readonly Timer[], shared: TimerBatch) {
    return this.prepare(timers, {} as PoolClient, shared);
  }
  runFire(timer: Timer, shared: TimerBatch) {
    return this.fire(timer, {} as PoolClient, shared);
  }
}

function harness() {
  const batches: Array<Array<{ shipmentId: string; tenant: string; timerId: unknown }>> = [];
  const sessions: StreamSession[] = [];
  const policyReads: string[] = [];
  const checked: string[] = [];
  let failWith: Error | undefined;
  let refuse: string | undefined;
  const shipments = {
    checkTrackingAll: jest.fn(async (checks: readonly TrackingCheck[]) => {
      if (failWith) throw failWith;
      batches.push(
        checks.map((c) => ({
          shipmentId: c.shipmentId,
          tenant: c.origin.tenant,
          timerId: String(c.origin.idempotencyKey).split('@')[0],
        })),
      );
      return checks.map((c) =>
        c.shipmentId === refuse
          ? { shipmentId: c.shipmentId, error: new ShipmentNotFound(c.shipmentId) }
          : { shipmentId: c.shipmentId, appended: ['ShipmentStalled' as const] },
      );
    }),
    policyFor: jest.fn(async (tenant: string) => {
      policyReads.push(tenant);
      return defaultLogisticsPolicy;
    }),
    checkTracking: jest.fn(
      async (_origin: unknown, shipmentId: string, _tx: PoolClient, _policy: unknown, session: StreamSession) => {
        checked.push(shipmentId);
        sessions.push(session);
        if (failWith) throw failWith;
        return [];
      },
    ),
  };
  const noticeBatches: string[][] = [];
  let failingNotice: string | undefined;
  const notices = {
    deliver: jest.fn(),
    deliverMany: jest.fn(async (timers: readonly Timer[]) => {
      noticeBatches.push(timers.map((t) => t.id));
      return new Map(
        timers.map((t) => [
          t.id,
          t.id === failingNotice
            ? new NotificationDeliveryFailed('shipment-shipped', t.id, 'timeout', null)
            : 'delivered',
        ]),
      );
    }),
  };
  const database = { ownPool: () => ({}) as Pool, pool: {} as Pool } as unknown as ServiceDatabase;
  const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Logger;
  const config = { timerLoops: 1, timerPollMs: 50, timerRetryBaseMs: 10, timerRetryMaxMs: 100 } as LogisticsConfig;
  const worker = new Harness(
    database,
    shipments as unknown as ShipmentsService,
    notices as unknown as ShipmentNotices,
    () => new Date(2_000_000),
    config,
    logger,
  );
  return {
    worker,
    shipments,
    batches,
    sessions,
    policyReads,
    checked,
    fail: (e: Error | undefined) => (failWith = e),
    refuse: (id: string) => (refuse = id),
    noticeBatches,
    failNotice: (id: string) => (failingNotice = id),
  };
}

describe('LogisticsTimers: a transaction of tracking timers', () => {
  it('checks them all at once (prepare), each tenant’s policy read once, and fires them all with it', async () => {
    const h = harness();
    const shared = batch();
    h.refuse('s-3');
    const timers = [tracking('s-2'), notice('n-1'), tracking('s-1'), tracking('s-3', 'shop-b'), tracking('s-1')];
    const prepared = await h.worker.runPrepare(timers, shared);
    expect(h.batches).toEqual([
      [
        { shipmentId: 's-2', tenant: 'shop-a', timerId: 'tracking:s-2:3' },
        { shipmentId: 's-1', tenant: 'shop-a', timerId: 'tracking:s-1:3' },
        { shipmentId: 's-3', tenant: 'shop-b', timerId: 'tracking:s-3:3' },
        { shipmentId: 's-1', tenant: 'shop-a', timerId: 'tracking:s-1:3' },
      ],
    ]);
    expect(h.policyReads.sort()).toEqual(['shop-a', 'shop-b']);
    // All fired by it (the one its shipment refused too: nothing to do), the notice with them.
    expect(prepared && [...prepared.fired].sort()).toEqual([
      'n-1',
      'tracking:s-1:3',
      'tracking:s-2:3',
      'tracking:s-3:3',
    ]);
    expect(prepared?.failed?.size).toBe(0);
  });

  it('delivers the notices of a transaction at once (prepare); one whose webhook failed is left to be retried', async () => {
    const h = harness();
    h.failNotice('n-2');
    const prepared = await h.worker.runPrepare([notice('n-1'), notice('n-2'), notice('n-3')], batch());
    expect(h.noticeBatches).toEqual([['n-1', 'n-2', 'n-3']]);
    expect(prepared && [...prepared.fired].sort()).toEqual(['n-1', 'n-3']);
    expect([...(prepared?.failed?.keys() ?? [])]).toEqual(['n-2']);
    expect(h.shipments.checkTrackingAll).not.toHaveBeenCalled();
  });

  it('when the set-based check fails (rolled back to the savepoint), each timer fires on its own, on one session', async () => {
    const h = harness();
    const shared = batch();
    h.fail(new Error('stream changed since read'));
    await expect(h.worker.runPrepare([tracking('s-1'), tracking('s-2')], shared)).rejects.toThrow('stream changed');
    h.fail(undefined);
    await h.worker.runFire(tracking('s-1'), shared);
    await h.worker.runFire(tracking('s-2'), shared);
    expect(h.checked).toEqual(['s-1', 's-2']);
    expect(h.policyReads).toEqual(['shop-a']);
    expect(new Set(h.sessions).size).toBe(1);
  });

  it('a timer fired on its own whose effects fail (rolled back to its savepoint) is forgotten by the session', async () => {
    const h = harness();
    const shared = batch();
    h.fail(new Error('database hiccup'));
    const session = await shared.once('shipments', async () => new StreamSession());
    const forget = jest.spyOn(session, 'forget');
    await expect(h.worker.runFire(tracking('s-9'), shared)).rejects.toThrow('database hiccup');
    expect(forget).toHaveBeenCalledWith('shipment-s-9');
  });

  it('fires tracking timers in shipment stream order (the order appends lock streams in), then the others by due', () => {
    const timers = [notice('n-2', 5), tracking('s-b', 'shop-a', 9), notice('n-1', 1), tracking('s-a', 'shop-a', 10)];
    expect([...timers].sort(firingOrder).map((t) => t.id)).toEqual(['tracking:s-a:3', 'tracking:s-b:3', 'n-1', 'n-2']);
  });
});
