import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type {
  BudgetBook,
  BudgetView,
  CompensationIndex,
  CompensationSummary,
  Ledger,
  LedgerBalance,
  LedgerMovement,
  MoneyBackRegister,
} from '../../application/compensation.ports';
import type { BudgetScope, CauseKind, CompensationStatus } from '../../domain/compensation-order.decider';
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

/** {@link BudgetBook} in table `compensation_budgets` (CHECKs: never negative, never above the limit). */
@Injectable()
export class PostgresBudgetBook implements BudgetBook {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async lock(
    tx: PoolClient,
    tenant: string,
    scope: BudgetScope,
    limit: { limitMinor: number; currency: string },
  ): Promise<BudgetView> {
    // A month's limit follows the tenant's policy; an incident's fund was set when it opened.
    if (scope.kind === 'month')
      await tx.query(
        `INSERT INTO compensation_budgets (tenant, scope_kind, scope_id, currency, limit_minor)
         VALUES ($1, 'month', $2, $3, GREATEST($4::bigint, 0))
         ON CONFLICT (tenant, scope_kind, scope_id) DO UPDATE
           SET limit_minor = GREATEST(EXCLUDED.limit_minor, compensation_budgets.reserved_minor + compensation_budgets.spent_minor)`,
        [tenant, scope.month, limit.currency, limit.limitMinor],
      );
    const { rows } = await tx.query<BudgetRow>(
      `SELECT * FROM compensation_budgets WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3 FOR UPDATE`,
      [tenant, scope.kind, scopeKey(scope)],
    );
    const row = rows[0];
    if (!row) throw new Error(`No budget ${scope.kind} ${scopeKey(scope)} for ${tenant}`);
    return budgetView(row);
  }

  async apply(tx: PoolClient, tenant: string, effect: BudgetEffect): Promise<void> {
    const set = {
      reserve: 'reserved_minor = reserved_minor + $4',
      release: 'reserved_minor = reserved_minor - $4',
      spend: 'reserved_minor = reserved_minor - $4, spent_minor = spent_minor + $4',
    }[effect.kind];
    const { rowCount } = await tx.query(
      `UPDATE compensation_budgets SET ${set} WHERE tenant = $1 AND scope_kind = $2 AND scope_id = $3`,
      [tenant, effect.scope.kind, scopeKey(effect.scope), effect.amountMinor],
    );
    if (rowCount !== 1) throw new Error(`No budget ${effect.scope.kind} ${scopeKey(effect.scope)} for ${tenant}`);
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
      `SELECT * FROM compensation_budgets WHERE tenant = $1
         AND ($2::text IS NULL OR (scope_kind = 'month' AND scope_id = $2))
         AND ($3::text IS NULL OR (scope_kind = 'incident' AND scope_id = $3))
       ORDER BY scope_kind, scope_id DESC LIMIT 200`,
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

  async book(tx: PoolClient, tenant: string, m: LedgerMovement): Promise<void> {
    for (const [line, entry] of m.entries.entries())
      await tx.query(
        `INSERT INTO compensation_ledger (movement_id, line, tenant, compensation_id, cause_kind, cause_id, order_id, instrument,
           account, amount_minor, currency, booked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
        [
          m.movementId,
          line,
          tenant,
          m.compensationId,
          m.cause.kind,
          m.cause.id,
          m.orderId,
          m.instrument,
          entry.account,
          entry.amountMinor,
          entry.currency,
          m.bookedAt,
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

  async record(tx: PoolClient, tenant: string, s: CompensationSummary): Promise<void> {
    await tx.query(
      `INSERT INTO compensation_orders (tenant, compensation_id, case_id, cause_kind, cause_id, instrument, amount_minor, currency, status, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant, compensation_id) DO UPDATE SET status = EXCLUDED.status`,
      [
        tenant,
        s.compensationId,
        s.caseId,
        s.cause.kind,
        s.cause.id,
        s.instrument,
        s.amount.amountMinor,
        s.amount.currency,
        s.status,
        s.requestedAt,
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
