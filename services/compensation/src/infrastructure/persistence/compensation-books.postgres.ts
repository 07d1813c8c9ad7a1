import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { COMPENSATION_CONFIG, type CompensationConfig } from '../../application/compensation.config';
import type {
  BudgetBook,
  BudgetView,
  HeldSlice,
  InvoiceBook,
  InvoiceSummary,
  CompensationIndex,
  CompensationSummary,
  Ledger,
  LedgerBalance,
  LedgerMovement,
  MoneyBackRegister,
} from '../../application/compensation.ports';
import type { BudgetScope, CauseKind, CompensationStatus } from '../../domain/compensation-order.decider';
import { limitAfter, planSlices, sliceAvailable, type BudgetSlice } from '../../domain/budget-slices';
import type { BudgetEffect, LedgerAccount } from '../../domain/ledger';
import type { Instrument } from '../../domain/compensation-policy';

const scopeKey = (scope: BudgetScope) => (scope.kind === 'month' ? scope.month : scope.incidentId);

interface BudgetRow {
  scope_kind: 'month' | 'incident';
  scope_id: string;
  currency: string;
  limit_minor: string;
  reserved_minor: string;
  spent_minor: string;
}

function budgetView(row: BudgetRow): BudgetView {
  const limitMinor = Number(row.limit_minor);
  const reservedMinor = Number(row.reserved_minor);
  const spentMinor = Number(row.spent_minor);
  const scope: BudgetScope =
    row.scope_kind === 'month'
      ? { kind: 'month', month: row.scope_id }
      : { kind: 'incident', incidentId: row.scope_id };
  return {
    scope,
    currency: row.currency,
    limitMinor,
    reservedMinor,
    spentMinor,
    availableMinor: limitMinor - reservedMinor - spentMinor,
  };
}

interface SliceRow {
  slice: number;
  allocated_minor: string;
  reserved_minor: string;
  spent_minor: string;
}

/** A slice as stored, plus what the transaction reserved on it and has not booked yet (`pending`, by slice). */
const sliceOf = (row: SliceRow, pending?: ReadonlyMap<number, number>): BudgetSlice => ({
  slice: row.slice,
  allocatedMinor: Number(row.allocated_minor),
  reservedMinor: Number(row.reserved_minor) + (pending?.get(row.slice) ?? 0),
  spentMinor: Number(row.spent_minor),
});

const NOTHING_PENDING: ReadonlyMap<number, number> = new Map();

const SLICE_COLUMNS = 'slice, allocated_minor, reserved_minor, spent_minor';

/**
 * {@link BudgetBook} in tables `compensation_budgets` (each budget's head: its limit) and `compensation_budget_slices`
 * (allocations, reservations and spending per slice; CHECKs: never negative, never above the slice's allocation; a
 * deferred trigger: the allocations never above the limit). ADR 17.
 */
@Injectable()
export class PostgresBudgetBook implements BudgetBook {
  /** The slice each connection held last, per budget: the next transaction on it tries that one first. */
  private readonly lastSlice = new WeakMap<PoolClient, Map<string, number>>();

  constructor(
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(COMPENSATION_CONFIG) private readonly config: CompensationConfig,
  ) {}

  async hold(
    tx: PoolClient,
    tenant: string,
    scope: BudgetScope,
    monthLimit: { limitMinor: number; currency: string } | null,
    wantMinor: number,
    pending: ReadonlyMap<number, number> = NOTHING_PENDING,
  ): Promise<HeldSlice> {
    const key = [tenant, scope.kind, scopeKey(scope)];
    const hints = this.lastSlice.get(tx) ?? this.lastSlice.set(tx, new Map()).get(tx)!;
    const budgetKey = key.join('\u0000');
    const prefer = hints.get(budgetKey) ?? -1;
    // The common case: a slice nobody else holds with room for the order, locked without waiting for anyone (and not
    // one this transaction holds already: the caller knows what those can still take).
    const { rows } = await tx.query<{ slice: number; available: string }>(
      `SELECT slice, allocated_minor - reserved_minor - spent_minor AS available FROM compensation_budget_slices
        WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3 AND allocated_minor - reserved_minor - spent_minor >= $4
          AND slice <> ALL($6::int[])
        ORDER BY slice = $5 DESC, random() LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [...key, wantMinor, prefer, [...pending.keys()]],
    );
    const found = rows[0];
    const held: HeldSlice = found
      ? {
          slice: found.slice,
          availableMinor: Number(found.available),
          rooms: [{ slice: found.slice, availableMinor: Number(found.available) }],
        }
      : await this.rebalance(tx, tenant, scope, monthLimit, wantMinor, prefer, pending);
    hints.set(budgetKey, held.slice);
    return held;
  }

  /**
   * No free slice has room: with the budget's head locked, one slice (or the slices this transaction creates) takes a
   * share of the head's free money; when the head has too little, the slices nobody holds give back what they do not
   * use; when that is still too little, every slice is waited for, so only the whole budget is ever "exhausted" (ADR 17).
   * The head is held to the end of the transaction: refills queue, approvals on slices with room do not.
   */
  private async rebalance(
    tx: PoolClient,
    tenant: string,
    scope: BudgetScope,
    monthLimit: { limitMinor: number; currency: string } | null,
    wantMinor: number,
    prefer: number,
    pending: ReadonlyMap<number, number>,
  ): Promise<HeldSlice> {
    const key = [tenant, scope.kind, scopeKey(scope)];
    // A month's budget starts with the tenant's policy's limit; an incident's fund was set when it opened.
    if (monthLimit)
      await tx.query(
        `INSERT INTO compensation_budgets (tenant, scope_kind, scope_id, currency, limit_minor)
         VALUES ($1, $2, $3, $4, GREATEST($5::bigint, 0)) ON CONFLICT DO NOTHING`,
        [...key, monthLimit.currency, monthLimit.limitMinor],
      );
    const head = await tx.query<{ limit_minor: string }>(
      `SELECT limit_minor FROM compensation_budgets WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3
         FOR NO KEY UPDATE`,
      key,
    );
    if (!head.rows[0]) throw new Error(`No budget ${scope.kind} ${scopeKey(scope)} for ${tenant}`);
    let limitMinor = Number(head.rows[0].limit_minor);
    // What the slices the transaction held before can take, as far as this call changes it.
    const rooms = new Map<number, number>();
    if (monthLimit && monthLimit.limitMinor !== limitMinor) {
      const lowered = monthLimit.limitMinor < limitMinor;
      limitMinor = await this.resize(tx, key, limitMinor, monthLimit.limitMinor, pending);
      // Lowered: every slice was cut down to what it uses.
      if (lowered) for (const slice of pending.keys()) rooms.set(slice, 0);
    }
    const slices = this.config.budgetSlices;
    // Slices this transaction creates are its own (nobody sees them before its commit): they all take a share.
    const created = await tx.query<SliceRow>(
      `INSERT INTO compensation_budget_slices (tenant, scope_kind, scope_id, slice)
       SELECT $1, $2, $3, generate_series(0, $4::int - 1) ON CONFLICT DO NOTHING RETURNING ${SLICE_COLUMNS}`,
      [...key, slices],
    );
    let held = created.rows.map((row) => sliceOf(row));
    if (held.length === 0) held = await this.oneFreeSlice(tx, key, prefer, pending);
    const plan = (mine: BudgetSlice[], others: number) =>
      planSlices({ limitMinor, held: mine, othersAllocatedMinor: others, wantMinor, prefer, spreadOver: slices });
    let planned = plan(held, await this.allocatedBesides(tx, key, held));
    if (!planned.enough) {
      // The head has too little: the slices nobody holds give back what they do not use.
      held = await this.freeSlices(tx, key, held, pending);
      planned = plan(held, await this.allocatedBesides(tx, key, held));
    }
    if (!planned.enough) {
      // Still too little: wait for every slice, so only the whole budget is ever "exhausted".
      held = await this.lockAll(tx, key, pending);
      planned = plan(held, 0);
    }
    if (!planned.enough)
      return {
        slice: held[0]?.slice ?? 0,
        availableMinor: planned.availableMinor,
        rooms: [...rooms].map(([slice, availableMinor]) => ({ slice, availableMinor })),
      };
    await tx.query(
      `UPDATE compensation_budget_slices s SET allocated_minor = a.allocated
         FROM unnest($4::int[], $5::bigint[]) AS a(slice, allocated)
        WHERE s.tenant = $1 AND s.scope_kind = $2 AND s.scope_id = $3 AND s.slice = a.slice`,
      [...key, planned.allocations.map((a) => a.slice), planned.allocations.map((a) => a.allocatedMinor)],
    );
    const bySlice = new Map(held.map((s) => [s.slice, s]));
    for (const { slice, allocatedMinor } of planned.allocations) {
      const before = bySlice.get(slice) as BudgetSlice;
      rooms.set(slice, sliceAvailable({ ...before, allocatedMinor }));
    }
    return {
      slice: planned.slice,
      availableMinor: planned.availableMinor,
      rooms: [...rooms].map(([slice, availableMinor]) => ({ slice, availableMinor })),
    };
  }

  /** One slice nobody holds (the preferred one first), or a new one when every slice is held (slices follow concurrency). */
  private async oneFreeSlice(
    tx: PoolClient,
    key: string[],
    prefer: number,
    pending: ReadonlyMap<number, number>,
  ): Promise<BudgetSlice[]> {
    const free = await tx.query<SliceRow>(
      `SELECT ${SLICE_COLUMNS} FROM compensation_budget_slices WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3
        ORDER BY slice = $4 DESC, random() LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [...key, prefer],
    );
    if (free.rows.length > 0) return free.rows.map((row) => sliceOf(row, pending));
    const added = await tx.query<SliceRow>(
      `INSERT INTO compensation_budget_slices (tenant, scope_kind, scope_id, slice)
       SELECT $1, $2, $3, max(slice) + 1 FROM compensation_budget_slices WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3
       RETURNING ${SLICE_COLUMNS}`,
      key,
    );
    return added.rows.map((row) => sliceOf(row));
  }

  /** The held slices and every slice nobody else holds (`SKIP LOCKED`: no waiting), by slice. */
  private async freeSlices(
    tx: PoolClient,
    key: string[],
    held: BudgetSlice[],
    pending: ReadonlyMap<number, number>,
  ): Promise<BudgetSlice[]> {
    const { rows } = await tx.query<SliceRow>(
      `SELECT ${SLICE_COLUMNS} FROM compensation_budget_slices WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3
        ORDER BY slice FOR UPDATE SKIP LOCKED`,
      key,
    );
    const mine = new Map(held.map((s) => [s.slice, s]));
    for (const row of rows) mine.set(row.slice, sliceOf(row, pending));
    return [...mine.values()];
  }

  /** What the slices not in `mine` have allocated: stable while the head is held (allocations move only under it). */
  private async allocatedBesides(tx: PoolClient, key: string[], mine: readonly BudgetSlice[]): Promise<number> {
    const { rows } = await tx.query<{ allocated: string }>(
      `SELECT coalesce(sum(allocated_minor), 0) AS allocated FROM compensation_budget_slices
        WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3 AND slice <> ALL($4::int[])`,
      [...key, mine.map((s) => s.slice)],
    );
    return Number(rows[0]?.allocated ?? 0);
  }

  private async lockAll(
    tx: PoolClient,
    key: string[],
    pending: ReadonlyMap<number, number> = NOTHING_PENDING,
  ): Promise<BudgetSlice[]> {
    const { rows } = await tx.query<SliceRow>(
      `SELECT ${SLICE_COLUMNS} FROM compensation_budget_slices WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3
        ORDER BY slice FOR UPDATE`,
      key,
    );
    return rows.map((row) => sliceOf(row, pending));
  }

  /**
   * Sets a budget's limit, its head locked by the caller. Raised: nothing else moves. Lowered: every slice is waited
   * for and gives back what it does not use, and the limit never drops below what is reserved and spent.
   */
  private async resize(
    tx: PoolClient,
    key: string[],
    current: number,
    wanted: number,
    pending: ReadonlyMap<number, number> = NOTHING_PENDING,
  ): Promise<number> {
    let limitMinor = wanted;
    if (wanted < current) {
      const slices = await this.lockAll(tx, key, pending);
      limitMinor = limitAfter(wanted, slices);
      // What the transaction reserved and has not booked yet stays allocated to its slice.
      await tx.query(
        `UPDATE compensation_budget_slices s SET allocated_minor = s.reserved_minor + s.spent_minor + coalesce(
           (SELECT p.minor FROM unnest($4::int[], $5::bigint[]) AS p(slice, minor) WHERE p.slice = s.slice), 0)
          WHERE s.tenant = $1 AND s.scope_kind = $2 AND s.scope_id = $3`,
        [...key, [...pending.keys()], [...pending.values()]],
      );
    }
    await tx.query(
      'UPDATE compensation_budgets SET limit_minor = $4 WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3',
      [...key, limitMinor],
    );
    return limitMinor;
  }

  async setMonthLimits(tx: PoolClient, tenant: string, fromMonth: string, limitMinor: number): Promise<void> {
    const { rows } = await tx.query<{ scope_id: string; limit_minor: string }>(
      `SELECT scope_id, limit_minor FROM compensation_budgets WHERE tenant = $1 AND scope_kind = 'month' AND scope_id >= $2
        ORDER BY scope_id FOR NO KEY UPDATE`,
      [tenant, fromMonth],
    );
    for (const row of rows)
      if (Number(row.limit_minor) !== limitMinor)
        await this.resize(tx, [tenant, 'month', row.scope_id], Number(row.limit_minor), limitMinor);
  }

  async applyAll(
    tx: PoolClient,
    effects: ReadonlyArray<{ readonly tenant: string; readonly effect: BudgetEffect }>,
  ): Promise<void> {
    // Summed per slice: one row change each, which the CHECKs see as the slice ends up.
    const slices = new Map<string, { key: string[]; slice: number; reserved: number; spent: number }>();
    for (const { tenant, effect } of effects) {
      const key = [tenant, effect.scope.kind, scopeKey(effect.scope)];
      const id = [...key, effect.slice].join('\u0000');
      const delta = slices.get(id) ?? slices.set(id, { key, slice: effect.slice, reserved: 0, spent: 0 }).get(id)!;
      if (effect.kind === 'reserve') delta.reserved += effect.amountMinor;
      else delta.reserved -= effect.amountMinor;
      if (effect.kind === 'spend') delta.spent += effect.amountMinor;
    }
    const rows = [...slices.values()];
    if (rows.length === 0) return;
    const { rowCount } = await tx.query(
      `UPDATE compensation_budget_slices s
          SET reserved_minor = s.reserved_minor + d.reserved, spent_minor = s.spent_minor + d.spent
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::bigint[])
           AS d(tenant, scope_kind, scope_id, slice, reserved, spent)
        WHERE s.tenant = d.tenant AND s.scope_kind = d.scope_kind AND s.scope_id = d.scope_id AND s.slice = d.slice`,
      [
        rows.map((r) => r.key[0]),
        rows.map((r) => r.key[1]),
        rows.map((r) => r.key[2]),
        rows.map((r) => r.slice),
        rows.map((r) => r.reserved),
        rows.map((r) => r.spent),
      ],
    );
    if (rowCount !== rows.length)
      throw new Error(
        `Budget slices missing: ${rows.map((r) => `${r.key.join('/')} slice ${r.slice}`).join(', ')} (${rowCount} found)`,
      );
  }

  async openIncidentFund(
    tx: PoolClient,
    tenant: string,
    incidentId: string,
    limitMinor: number,
    currency: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO compensation_budgets (tenant, scope_kind, scope_id, currency, limit_minor) VALUES ($1, 'incident', $2, $3, $4)
       ON CONFLICT (tenant, scope_kind, scope_id) DO UPDATE SET limit_minor = GREATEST(compensation_budgets.limit_minor, EXCLUDED.limit_minor)`,
      [tenant, incidentId, currency, limitMinor],
    );
  }

  async hasIncidentFund(tx: PoolClient, tenant: string, incidentId: string): Promise<boolean> {
    const { rowCount } = await tx.query(
      `SELECT 1 FROM compensation_budgets WHERE tenant = $1 AND scope_kind = 'incident' AND scope_id = $2`,
      [tenant, incidentId],
    );
    return (rowCount ?? 0) > 0;
  }

  async list(tenant: string, filter: { month?: string; incidentId?: string }): Promise<BudgetView[]> {
    const { rows } = await this.database.pool.query<BudgetRow>(
      `SELECT b.scope_kind, b.scope_id, b.currency, b.limit_minor,
              coalesce(sum(s.reserved_minor), 0) AS reserved_minor, coalesce(sum(s.spent_minor), 0) AS spent_minor
         FROM compensation_budgets b
         LEFT JOIN compensation_budget_slices s USING (tenant, scope_kind, scope_id)
        WHERE b.tenant = $1
          AND ($2::text IS NULL OR (b.scope_kind = 'month' AND b.scope_id = $2))
          AND ($3::text IS NULL OR (b.scope_kind = 'incident' AND b.scope_id = $3))
        GROUP BY b.scope_kind, b.scope_id, b.currency, b.limit_minor
        ORDER BY b.scope_kind, b.scope_id DESC LIMIT 200`,
      [tenant, filter.month ?? null, filter.incidentId ?? null],
    );
    return rows.map(budgetView);
  }
}

interface LedgerRow {
  movement_id: string;
  line: number;
  compensation_id: string;
  cause_kind: CauseKind;
  cause_id: string;
  order_id: string | null;
  instrument: Instrument;
  account: LedgerAccount;
  amount_minor: string;
  currency: string;
  booked_at: Date;
}

/** {@link Ledger} in table `compensation_ledger`: one row per entry; a movement booked again is ignored. */
@Injectable()
export class PostgresLedger implements Ledger {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async book(tx: PoolClient, tenant: string, movements: readonly LedgerMovement[]): Promise<void> {
    const rows = movements.flatMap((m) => m.entries.map((entry, line) => ({ m, entry, line })));
    if (rows.length === 0) return;
    const column = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
    await tx.query(
      `INSERT INTO compensation_ledger (movement_id, line, tenant, compensation_id, cause_kind, cause_id, order_id, instrument,
         account, amount_minor, currency, booked_at)
       SELECT movement_id, line, $1, compensation_id, cause_kind, cause_id, order_id, instrument, account, amount_minor,
              currency, booked_at
         FROM unnest($2::uuid[], $3::int[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::bigint[], $11::text[], $12::timestamptz[])
           AS e(movement_id, line, compensation_id, cause_kind, cause_id, order_id, instrument, account, amount_minor,
                currency, booked_at)
       ON CONFLICT DO NOTHING`,
      [
        tenant,
        column((r) => r.m.movementId),
        column((r) => r.line),
        column((r) => r.m.compensationId),
        column((r) => r.m.cause.kind),
        column((r) => r.m.cause.id),
        column((r) => r.m.orderId),
        column((r) => r.m.instrument),
        column((r) => r.entry.account),
        column((r) => r.entry.amountMinor),
        column((r) => r.entry.currency),
        column((r) => r.m.bookedAt),
      ],
    );
  }

  async movements(
    tenant: string,
    filter: { causeKind?: string; causeId?: string; limit: number },
  ): Promise<LedgerMovement[]> {
    const { rows } = await this.database.pool.query<LedgerRow>(
      `SELECT * FROM compensation_ledger WHERE movement_id IN (
         SELECT movement_id FROM compensation_ledger WHERE tenant = $1
           AND ($2::text IS NULL OR cause_kind = $2) AND ($3::text IS NULL OR cause_id = $3)
         GROUP BY movement_id ORDER BY min(booked_at) DESC, movement_id LIMIT $4)
       ORDER BY booked_at DESC, movement_id, line`,
      [tenant, filter.causeKind ?? null, filter.causeId ?? null, filter.limit],
    );
    const movements = new Map<string, LedgerMovement & { entries: LedgerMovement['entries'][number][] }>();
    for (const row of rows) {
      const movement =
        movements.get(row.movement_id) ??
        movements
          .set(row.movement_id, {
            movementId: row.movement_id,
            compensationId: row.compensation_id,
            cause: { kind: row.cause_kind, id: row.cause_id },
            orderId: row.order_id,
            instrument: row.instrument,
            entries: [],
            bookedAt: row.booked_at.toISOString(),
          })
          .get(row.movement_id)!;
      movement.entries.push({ account: row.account, amountMinor: Number(row.amount_minor), currency: row.currency });
    }
    return [...movements.values()];
  }

  async balances(tenant: string, filter: { causeKind?: string; causeId?: string }): Promise<LedgerBalance[]> {
    const { rows } = await this.database.pool.query<{ account: string; currency: string; balance: string }>(
      `SELECT account, currency, sum(amount_minor) AS balance FROM compensation_ledger WHERE tenant = $1
         AND ($2::text IS NULL OR cause_kind = $2) AND ($3::text IS NULL OR cause_id = $3)
       GROUP BY account, currency ORDER BY account, currency`,
      [tenant, filter.causeKind ?? null, filter.causeId ?? null],
    );
    return rows.map((r) => ({ account: r.account, currency: r.currency, balanceMinor: Number(r.balance) }));
  }
}

/** {@link MoneyBackRegister} in table `compensation_money_back` (CHECK: never negative). */
@Injectable()
export class PostgresMoneyBackRegister implements MoneyBackRegister {
  async lock(tx: PoolClient, tenant: string, orderId: string): Promise<number> {
    await tx.query(`INSERT INTO compensation_money_back (tenant, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      tenant,
      orderId,
    ]);
    const { rows } = await tx.query<{ committed_minor: string }>(
      'SELECT committed_minor FROM compensation_money_back WHERE tenant = $1 AND order_id = $2 FOR UPDATE',
      [tenant, orderId],
    );
    return Number(rows[0]?.committed_minor ?? 0);
  }

  async add(tx: PoolClient, tenant: string, orderId: string, deltaMinor: number): Promise<void> {
    // Two statements: an INSERT … ON CONFLICT checks the row it proposes, so a release (negative) would fail there.
    await tx.query(`INSERT INTO compensation_money_back (tenant, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      tenant,
      orderId,
    ]);
    await tx.query(
      'UPDATE compensation_money_back SET committed_minor = committed_minor + $3 WHERE tenant = $1 AND order_id = $2',
      [tenant, orderId, deltaMinor],
    );
  }
}

interface OrderRow {
  compensation_id: string;
  case_id: string | null;
  cause_kind: CauseKind;
  cause_id: string;
  instrument: Instrument;
  amount_minor: string;
  currency: string;
  status: CompensationStatus;
  requested_at: Date;
}

/** {@link CompensationIndex} in table `compensation_orders`. */
@Injectable()
export class PostgresCompensationIndex implements CompensationIndex {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async recordAll(
    tx: PoolClient,
    orders: ReadonlyArray<{ readonly tenant: string; readonly summary: CompensationSummary }>,
  ): Promise<void> {
    if (orders.length === 0) return;
    const column = <T>(f: (s: CompensationSummary, tenant: string) => T) => orders.map((o) => f(o.summary, o.tenant));
    await tx.query(
      `INSERT INTO compensation_orders (tenant, compensation_id, case_id, cause_kind, cause_id, instrument, amount_minor, currency, status, requested_at)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                            $9::text[], $10::timestamptz[])
       ON CONFLICT (tenant, compensation_id) DO UPDATE SET status = EXCLUDED.status`,
      [
        column((_, tenant) => tenant),
        column((s) => s.compensationId),
        column((s) => s.caseId),
        column((s) => s.cause.kind),
        column((s) => s.cause.id),
        column((s) => s.instrument),
        column((s) => s.amount.amountMinor),
        column((s) => s.amount.currency),
        column((s) => s.status),
        column((s) => s.requestedAt),
      ],
    );
  }

  async list(
    tenant: string,
    filter: { status?: CompensationStatus; caseId?: string; limit: number },
  ): Promise<CompensationSummary[]> {
    const { rows } = await this.database.pool.query<OrderRow>(
      `SELECT * FROM compensation_orders WHERE tenant = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR case_id = $3)
       ORDER BY requested_at DESC, compensation_id LIMIT $4`,
      [tenant, filter.status ?? null, filter.caseId ?? null, filter.limit],
    );
    return rows.map((r) => ({
      compensationId: r.compensation_id,
      caseId: r.case_id,
      cause: { kind: r.cause_kind, id: r.cause_id },
      instrument: r.instrument,
      amount: { amountMinor: Number(r.amount_minor), currency: r.currency },
      status: r.status,
      requestedAt: r.requested_at.toISOString(),
    }));
  }
}

interface InvoiceRow {
  invoice_request_id: string;
  sequence: string;
  order_id: string;
  customer_id: string;
  case_id: string | null;
  amount_minor: string;
  currency: string;
  status: 'queued' | 'issued';
  urgent: boolean;
  expedite_reason: string | null;
  expedite_requested_at: Date | null;
  invoice_number: string | null;
  requested_at: Date;
  issued_at: Date | null;
}

const invoiceOf = (r: InvoiceRow): InvoiceSummary => ({
  invoiceRequestId: r.invoice_request_id,
  sequence: Number(r.sequence),
  orderId: r.order_id,
  customerId: r.customer_id,
  caseId: r.case_id,
  amount: { amountMinor: Number(r.amount_minor), currency: r.currency },
  status: r.status,
  urgent: r.urgent,
  expediteReason: r.expedite_reason,
  expediteRequestedAt: r.expedite_requested_at?.toISOString() ?? null,
  invoiceNumber: r.invoice_number,
  requestedAt: r.requested_at.toISOString(),
  issuedAt: r.issued_at?.toISOString() ?? null,
});

/** {@link InvoiceBook} in tables `compensation_invoice_sequences` and `compensation_invoices`. */
@Injectable()
export class PostgresInvoiceBook implements InvoiceBook {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async nextSequence(tx: PoolClient, tenant: string): Promise<number> {
    const { rows } = await tx.query<{ last: string }>(
      `INSERT INTO compensation_invoice_sequences (tenant, last) VALUES ($1, 1)
       ON CONFLICT (tenant) DO UPDATE SET last = compensation_invoice_sequences.last + 1 RETURNING last`,
      [tenant],
    );
    return Number(rows[0]!.last);
  }

  async record(tx: PoolClient, tenant: string, s: InvoiceSummary): Promise<void> {
    await tx.query(
      `INSERT INTO compensation_invoices (tenant, invoice_request_id, sequence, order_id, customer_id, case_id, amount_minor,
         currency, status, urgent, expedite_reason, expedite_requested_at, invoice_number, requested_at, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (tenant, invoice_request_id) DO UPDATE SET status = EXCLUDED.status, urgent = EXCLUDED.urgent,
         expedite_reason = EXCLUDED.expedite_reason, expedite_requested_at = EXCLUDED.expedite_requested_at,
         invoice_number = EXCLUDED.invoice_number, issued_at = EXCLUDED.issued_at`,
      [
        tenant,
        s.invoiceRequestId,
        s.sequence,
        s.orderId,
        s.customerId,
        s.caseId,
        s.amount.amountMinor,
        s.amount.currency,
        s.status,
        s.urgent,
        s.expediteReason,
        s.expediteRequestedAt,
        s.invoiceNumber,
        s.requestedAt,
        s.issuedAt,
      ],
    );
  }

  async queuedBefore(tx: PoolClient, tenant: string, sequence: number): Promise<number> {
    const { rows } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM compensation_invoices WHERE tenant = $1 AND status = 'queued' AND sequence < $2`,
      [tenant, sequence],
    );
    return rows[0]?.n ?? 0;
  }

  async list(tenant: string, filter: { status?: 'queued' | 'issued'; limit: number }): Promise<InvoiceSummary[]> {
    const { rows } = await this.database.pool.query<InvoiceRow>(
      `SELECT * FROM compensation_invoices WHERE tenant = $1 AND ($2::text IS NULL OR status = $2)
        ORDER BY sequence LIMIT $3`,
      [tenant, filter.status ?? null, filter.limit],
    );
    return rows.map(invoiceOf);
  }

  async expediteQueue(tenant: string, limit: number): Promise<InvoiceSummary[]> {
    const { rows } = await this.database.pool.query<InvoiceRow>(
      `SELECT * FROM compensation_invoices WHERE tenant = $1 AND status = 'queued' AND urgent
        ORDER BY expedite_requested_at, sequence LIMIT $2`,
      [tenant, limit],
    );
    return rows.map(invoiceOf);
  }
}
