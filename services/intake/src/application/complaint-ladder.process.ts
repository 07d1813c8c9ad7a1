import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import { DurableSubscription, systemOrigin, type ServiceDatabase, type StoredEvent } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import type { BackgroundWorker } from '@aftersales/service-runtime';
import type { ComplaintFlags, ComplaintRegistered } from '../domain/complaint.events';
import type { CaseCommandRunner } from './case-command-runner';

/**
 * The severity flags that take a complaint straight to senior management (seed 000 §3.5.3: 「人身傷害、重大財產損失、
 * 群體性事件、媒體曝光風險或可能引發法律糾紛」 — injury, major property loss, group event, media exposure, legal dispute).
 */
export function isSevereComplaint(flags: ComplaintFlags): boolean {
  return (
    flags.personalInjury || flags.propertyLoss || flags.mediaExposure || flags.legalThreat || flags.groupEvent === true
  );
}

/**
 * Moves a case onto the complaint ladder when a complaint is registered for it (seed 000 §3.5.1–2: a complaint starts
 * the complaint process; what a first-line agent cannot solve goes to the complaint team): the case is escalated to the
 * complaint team (reason `complaint`), or to senior management for a severe complaint (reason `severe_complaint`), by
 * the platform's rules (`system:intake.complaint-ladder`). A durable subscription on intake's own event store, so the
 * escalation commits with the subscription's checkpoint: once, across restarts. A complaint for a case that does not
 * exist in its tenant, or that is closed, leaves the case as it is (logged); incidents open for severe complaints
 * from the same published `complaint-registered` event.
 */
export class ComplaintLadderProcess implements BackgroundWorker {
  private readonly subscription: DurableSubscription;

  constructor(
    database: ServiceDatabase,
    private readonly runner: CaseCommandRunner,
    private readonly logger: Logger,
    idleMs = 1_000,
  ) {
    this.subscription = new DurableSubscription(database.pool, {
      name: 'intake-complaint-ladder',
      handle: (event, tx) => this.react(event, tx),
      idleMs,
      onError: (error) => logger.warn({ err: error }, 'complaint ladder: batch failed; retrying'),
    });
  }

  start(): void {
    this.subscription.start();
  }

  async stop(): Promise<void> {
    await this.subscription.stop();
  }

  private async react(stored: StoredEvent, tx: PoolClient): Promise<void> {
    if (stored.type !== 'ComplaintRegistered') return;
    const complaint = stored.data as ComplaintRegistered['data'];
    if (!complaint.caseId) return;
    const severe = isSevereComplaint(complaint.flags);
    const origin = systemOrigin(
      'intake.complaint-ladder',
      { tenant: complaint.tenant, correlationId: stored.metadata.correlationId, causationId: stored.id },
      `complaint-ladder:${stored.id}`,
    );
    const about = { tenant: complaint.tenant, caseId: complaint.caseId, complaintId: complaint.complaintId, severe };
    try {
      await this.runner.run(tx, origin, complaint.caseId, {
        type: 'EscalateCase',
        data: {
          rung: severe ? 'senior_management' : 'complaint_team',
          reason: severe ? 'severe_complaint' : 'complaint',
          note: `Complaint ${complaint.complaintId}`,
        },
      });
      this.logger.info(about, 'case moved onto the complaint ladder');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn({ ...about, code: error.code }, 'complaint for a case that cannot be escalated: left as it is');
    }
  }
}
