import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { ShipmentDeliveredV1 } from '@aftersales/contracts';
import { kafkaBrokers, uniqueName } from '@aftersales/testing';
import { runOps } from '@aftersales/ops';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { returnsService } from '../src/returns.module';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const DLQ = 'aftersales.returns.return-saga.dlq';
/**
 * This test's letter: returns refused the parcel report. The dead-letter topic is the consumer's, shared by every
 * returns service of the run (other suites run theirs at the same time, under other group prefixes): one of them may
 * take the same report too and dead-letter it as `RETURN.NOT_FOUND` (the return is not in its database).
 */
const REFUSED = 'RETURN.WRONG_STATUS';

/** Runs an ops command line in this process (as `npm run ops -- …` does), answering its exit code and output. */
async function ops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runOps(args, {
    brokers: kafkaBrokers(),
    io: { out: (line) => out.push(line), err: (line) => err.push(line) },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

// CONTEXT: the returns service in-process on real Kafka and Postgres; logistics is played by the test kit's
// ContractPublisher. A parcel reported delivered before its return was approved is refused by returns' saga and
// dead-lettered; once the return is approved an operator redrives it with `npm run ops -- dlq redrive`, and the receipt
// is recorded once, however often it is redriven.
describe('ops: dead letters listed, shown and redriven through the inbox', () => {
  const tenant = uniqueName('shop');
  const agent = { tenant, roles: ['agent'], subject: 'agent-7' };
  let service: TestService;
  let logistics: ContractPublisher;

  beforeAll(async () => {
    service = await startTestService(returnsService);
    logistics = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await logistics?.close();
    await service?.close();
  });

  const requestReturn = async () =>
    (
      await service.call<{ returnId: string; status: string }>('POST', '/returns', {
        caller: agent,
        body: {
          orderId: 'ORD-OPS-1',
          kind: 'return',
          reason: 'quality',
          severity: 'unusable',
          items: [
            {
              sku: 'KETTLE-1L',
              quantity: 1,
              unitPrice: { amountMinor: 10_000, currency: 'CNY' },
              specialPrice: false,
              deliveredAt: new Date(Date.now() - 86_400_000).toISOString(),
              condition: { unused: false, tagsAttached: false, packagingIntact: false },
            },
          ],
          orderPaid: { amountMinor: 10_000, currency: 'CNY' },
          evidenceRefs: [],
        },
      })
    ).body.returnId;
  const delivered = (shipmentId: string, returnId: string) =>
    logistics.publish(ShipmentDeliveredV1, {
      shipmentId,
      tenantId: tenant,
      purpose: 'return',
      returnId,
      items: [{ sku: 'KETTLE-1L', quantity: 1 }],
      carrier: 'SF Express',
      trackingNumber: 'SF-OPS-1',
      deliveredAt: new Date().toISOString(),
    });
  const status = async (returnId: string) =>
    (await service.call<{ status: string }>('GET', `/returns/${returnId}`, { caller: agent })).body.status;

  it('a refused parcel report is listed with its reason, shown, and redriven once the return can take it: one receipt', async () => {
    const returnId = await requestReturn();
    // Delivered before the return was approved: returns refuses it (RETURN.WRONG_STATUS), the saga dead-letters it.
    const shipmentId = randomUUID();
    const eventId = await delivered(shipmentId, returnId);

    const listed = await eventually(async () => {
      const result = await ops('dlq', 'list', DLQ, '--event', eventId, '--code', REFUSED);
      return result.stdout.includes(eventId) ? result : undefined;
    }, 'the letter in the dead-letter topic');
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.includes(eventId))!;
    const [position, , code, handlerCode, type] = row.split('\t');
    expect({ code, handlerCode, type }).toEqual({
      code: 'HANDLER_REJECTED',
      handlerCode: 'RETURN.WRONG_STATUS',
      type: ShipmentDeliveredV1.type,
    });
    expect(listed.stdout).toMatch(/1 letter\(s\)/);

    const shown = await ops('dlq', 'show', DLQ, position!);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      position,
      headers: { ce_id: eventId, dlq_error_code: 'HANDLER_REJECTED', dlq_source_topic: ShipmentDeliveredV1.topic },
      payload: { returnId, trackingNumber: 'SF-OPS-1' },
    });
    const all = await ops('dlq', 'list');
    expect(all.stdout).toMatch(new RegExp(`^${DLQ.replace(/\./g, '\\.')}\\t[1-9]`, 'm'));

    // The return is approved: now it awaits the goods, and the letter can be applied.
    const approved = await service.call<{ status: string }>('POST', `/returns/${returnId}/decision`, {
      caller: agent,
      body: {},
    });
    expect(approved.body.status).toBe('awaiting_goods');
    const dry = await ops('dlq', 'redrive', DLQ, '--event', eventId, '--code', REFUSED, '--dry-run');
    expect(dry).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`would redrive 1 letter(s) to ${ShipmentDeliveredV1.topic}`),
    });
    const redriven = await ops('dlq', 'redrive', DLQ, '--event', eventId, '--code', REFUSED);
    expect(redriven).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`redrove 1 letter(s) to ${ShipmentDeliveredV1.topic}`),
    });
    await eventually(async () => ((await status(returnId)) === 'received' ? true : undefined), 'the redriven receipt');

    // Redriven again: the inbox has it, so nothing more happens. A marker behind it on the same partition (same key:
    // the shipment id) for another approved return tells when the saga has read past the second redrive.
    const marker = await requestReturn();
    await service.call('POST', `/returns/${marker}/decision`, { caller: agent, body: {} });
    expect((await ops('dlq', 'redrive', DLQ, '--event', eventId, '--code', REFUSED)).code).toBe(0);
    await delivered(shipmentId, marker);
    await eventually(async () => ((await status(marker)) === 'received' ? true : undefined), 'the marker behind it');
    const { rows } = await service.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM es_events WHERE stream_id = $1 AND type = 'ReturnReceived'",
      [`return-${returnId}`],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('a wrong command line exits 2 with the usage; an unknown topic says so; the CLI answers the same codes', async () => {
    const wrong = await ops('dlq', 'redrive');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/needs a dead-letter topic[\s\S]*usage:/);
    expect(await ops('dlq', 'list', DLQ, '--since', 'yesterday')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since is not a time'),
    });
    expect(await ops('dlq', 'list', 'aftersales.returns.events')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not a dead-letter topic'),
    });
    expect(await ops('dlq', 'list', 'aftersales.nowhere.nothing.dlq')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no topic aftersales.nowhere.nothing.dlq'),
    });
    // `npm run ops` is this file run by tsx: its process exits with the code.
    const cli = await run(process.execPath, ['--import', 'tsx', 'scripts/ops.ts', 'dlq', 'show', DLQ], {
      cwd: ROOT,
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(cli).toMatchObject({ code: 2, stderr: expect.stringContaining('dlq show needs a topic and a position') });
  });
});
