import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { StreamSession, TransactionBatcher, type CommandOrigin, type ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { Bookings } from './bookings';
import { COMPENSATION_CONFIG, type CompensationConfig } from './compensation.config';
import { CompensationService, compensationStream } from './compensation.service';
import { compareCompensationIds, Payouts, type ProviderReport } from './payouts';

/** A report of the provider's webhook about one payout: whose, under which key, and what it says. */
export interface ReportedPayout {
  readonly origin: CommandOrigin;
  readonly tenant: string;
  readonly compensationId: string;
  readonly payoutKey: string;
  readonly report: ProviderReport;
}

/** What the reports of one transaction share: their orders, read in one query, and what they move. */
interface ReportBatch {
  readonly session: StreamSession;
  readonly bookings: Bookings;
}

/**
 * The provider's reports (confirmations, failures) recorded many per transaction (group commit): each webhook call
 * waits for the transaction that recorded its report. One transaction reads the orders of all its reports in one
 * query, decides each report (one that fails drops what it decided and is answered with its error, so the provider
 * sends it again; it wrote nothing, so it needs no savepoint), and writes what they decided together just before its commit: their events in one
 * append (`es_append_many`), then what they move (the ledger, the budget slices spent, the orders list, the
 * reconciliation timers cancelled: one statement each). A transaction that fails
 * as a whole answers nobody yet: its reports are recorded again, each alone when it was not a lost race.
 */
@Injectable()
export class PayoutReports {
  private readonly batcher: TransactionBatcher<ReportedPayout, void, ReportBatch>;

  constructor(
    @Inject(SERVICE_DATABASE) database: ServiceDatabase,
    @Inject(CompensationService) private readonly compensations: CompensationService,
    @Inject(Payouts) private readonly payouts: Payouts,
    @Inject(COMPENSATION_CONFIG) config: CompensationConfig,
  ) {
    this.batcher = new TransactionBatcher<ReportedPayout, void, ReportBatch>({
      pool: database.pool,
      maxItems: config.reportsPerTransaction,
      // One at a time: a transaction spends on several budget slices, two such would lock them in any order.
      concurrency: 1,
      // The orders' streams locked in the one order the timers use too: never a deadlock between them.
      order: (a, b) => compareCompensationIds(a.compensationId, b.compensationId),
      prepare: async (items, tx) => {
        // The reports' events are appended together by `finish`, in one round trip.
        const batch = { session: new StreamSession({ deferAppends: true }), bookings: new Bookings() };
        await this.compensations.preload(
          items.map((i) => i.compensationId),
          tx,
          batch.session,
        );
        return batch;
      },
      run: (item, tx, batch) => this.record(item, tx, batch),
      // A report decides and gathers; `finish` writes (events, bookings): no savepoint per report.
      itemsOnlyRead: true,
      finish: (tx, batch) => this.compensations.writeBatch(tx, batch.session, batch.bookings),
    });
  }

  /** Records the report; resolves once it is committed (a payout unknown under that tenant and key is ignored). */
  submit(reported: ReportedPayout): Promise<void> {
    return this.batcher.submit(reported);
  }

  private async record(reported: ReportedPayout, tx: PoolClient, batch: ReportBatch): Promise<void> {
    const { origin, tenant, compensationId, payoutKey, report } = reported;
    const mine = new Bookings();
    const before = batch.session.savepoint();
    try {
      const state = await this.compensations.find(compensationId, tx, batch.session);
      if (!state || state.terms.tenant !== tenant || state.payout?.payoutKey !== payoutKey) return;
      await this.payouts.report(origin, state, report, tx, batch.session, mine);
    } catch (error) {
      // What it decided is dropped: the events it deferred, and the session's view of the order.
      batch.session.rollbackTo(before);
      batch.session.forget(compensationStream(compensationId));
      throw error;
    }
    batch.bookings.add(mine);
  }
}
