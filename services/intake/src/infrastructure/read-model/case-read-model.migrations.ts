import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake's case read model, written only by the `case-worklist` projection (`case-worklist.projection.ts`):
 *
 * - `case_worklist`: one row per case with what a worklist and the case KPIs need: the stage, category, assignment,
 *   waiting, escalation rung, the lifecycle's times (opened, acknowledged, first response, first and last resolution,
 *   closure), how often it was reopened, how many outbound answers preceded its first resolution, and its SLA
 *   summary (`sla_state`, `next_due_at`, recomputed from `case_sla_clocks` after each clock event). `version` is the
 *   case stream's last version applied: every change is guarded by it, so replaying an event (a reset checkpoint, a
 *   rebuilt projection) changes nothing.
 *   `due_order` is `next_due_at`, or `infinity` for a case with no running clock: the worklist's order
 *   (`due_order, opened_at, case_id`) is then one index walk, cases without a due time after every due one.
 * - `case_sla_clocks`: every start (`instance` 1, 2… of a clock restarted) of every SLA clock of a case, from the
 *   `SlaClock*` events: running, paused or met; its due instant while it runs (or once overdue), warning and breach,
 *   and how it ended (`met_at`, `late`, `consumed_ms`): the SLA hit rate of the KPIs counts the starts that ended.
 * - `case_complaint_links`: the complaints registered for a case (`ComplaintRegistered.caseId`), keyed by complaint;
 *   a complaint may name its case before the case's own events are projected (or one of another tenant, which
 *   never matches: every join is on tenant and case).
 *
 * Ids are `text`: the projection must take whatever the event store holds (a failing projection stops the read model).
 */
export class CaseReadModel1733100000000 implements MigrationInterface {
  name = 'CaseReadModel1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_worklist (
        tenant                      text        NOT NULL,
        case_id                     text        PRIMARY KEY,
        status                      text        NOT NULL,
        channel                     text        NOT NULL,
        problem_type                text        NOT NULL,
        order_id                    text        NOT NULL,
        category                    text,
        queue                       text,
        team                        text,
        agent_id                    text,
        reassignments               integer     NOT NULL DEFAULT 0,
        waiting_on                  text,
        waiting_since               timestamptz,
        escalation_rung             text,
        opened_at                   timestamptz NOT NULL,
        acknowledged_at             timestamptz,
        first_response_at           timestamptz,
        first_resolved_at           timestamptz,
        resolved_at                 timestamptz,
        closed_at                   timestamptz,
        reopen_count                integer     NOT NULL DEFAULT 0,
        responses_before_resolution integer     NOT NULL DEFAULT 0,
        sla_state                   text        NOT NULL DEFAULT 'none',
        next_due_at                 timestamptz,
        due_order                   timestamptz GENERATED ALWAYS AS (coalesce(next_due_at, 'infinity'::timestamptz)) STORED,
        version                     bigint      NOT NULL,
        updated_at                  timestamptz NOT NULL,
        CONSTRAINT case_worklist_sla_state CHECK
          (sla_state IN ('none', 'on_track', 'warned', 'paused', 'breached', 'met'))
      )`);
    // The worklist: a tenant's cases by nearest due time, then opening time, then id; one agent's likewise.
    await q.query(`CREATE INDEX case_worklist_order ON case_worklist (tenant, due_order, opened_at, case_id)`);
    await q.query(
      `CREATE INDEX case_worklist_agent_order ON case_worklist (tenant, agent_id, due_order, opened_at, case_id)`,
    );
    // KPIs: a tenant's cases by opening time; the backlog and the open-cases gauge: the open ones.
    await q.query(`CREATE INDEX case_worklist_opened ON case_worklist (tenant, opened_at)`);
    await q.query(
      `CREATE INDEX case_worklist_open ON case_worklist (tenant, status) WHERE status NOT IN ('resolved', 'closed')`,
    );
    await q.query(`
      CREATE TABLE case_sla_clocks (
        tenant       text        NOT NULL,
        case_id      text        NOT NULL,
        clock_id     text        NOT NULL,
        instance     integer     NOT NULL,
        basis        text        NOT NULL,
        budget_ms    bigint      NOT NULL,
        status       text        NOT NULL,
        started_at   timestamptz NOT NULL,
        due_at       timestamptz,
        warn_at      timestamptz,
        warned_at    timestamptz,
        breached_at  timestamptz,
        met_at       timestamptz,
        late         boolean,
        consumed_ms  bigint,
        PRIMARY KEY (case_id, clock_id, instance),
        CONSTRAINT case_sla_clocks_status CHECK (status IN ('running', 'paused', 'met'))
      )`);
    await q.query(`
      CREATE TABLE case_complaint_links (
        complaint_id  text        PRIMARY KEY,
        tenant        text        NOT NULL,
        case_id       text        NOT NULL,
        registered_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX case_complaint_links_case ON case_complaint_links (tenant, case_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS case_complaint_links, case_sla_clocks, case_worklist');
  }
}

/** Migrations of intake's case read model, to pass to the service definition beside the write side's. */
export const caseReadModelMigrations = [CaseReadModel1733100000000];
