import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  CommitPacer,
  TimerScheduler,
  timerOrigin,
  type ServiceDatabase,
  type Timer,
  type TimerRetry,
} from '@aftersales/eventstore';
import { TimerBackoff } from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import type { BackgroundWorker, Clock } from '@aftersales/service-runtime';
import type { ReturnDeadlineNotices } from './return-deadline-notices';
import { returnTimerKinds, type DeadlineTimerPayload } from './return-deadline-timers';
import type { ReturnsConfig } from './returns.config';
import type { ReturnsService } from './returns.service';

/** The actor of what the deadline timers decide: the platform's rules. */
export const RETURN_TIMER = { id: 'system:returns.deadlines', roles: ['system'] } as const;

const TIMER_BATCH = 50;

/**
 * Fires the service's durable timers, each in its own transaction with its effects, once across replicas and restarts:
 * `return-deadline` → `RecordDeadlineBreach` on the return (the decider re-checks: a met deadline or an ended return
 * ends the timer quietly); `return-deadline-notice` → the supervisor's notice, delivered once. Failed attempts (a
 * webhook down, the database away) are retried with exponential backoff.
 */
export class ReturnTimers implements BackgroundWorker {
  private readonly scheduler: TimerScheduler;
  private readonly backoff: TimerBackoff;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    database: ServiceDatabase,
    private readonly returns: ReturnsService,
    private readonly notices: ReturnDeadlineNotices,
    clock: Clock,
    private readonly config: ReturnsConfig,
    private readonly logger: Logger,
  ) {
    this.backoff = new TimerBackoff({ baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs }, clock);
    this.scheduler = new TimerScheduler(database.pool, {
      now: clock,
      batchSize: TIMER_BATCH,
      fire: (timer, tx) => this.fire(timer, tx),
      retry: this.backoff.retry,
      onError: (error, timer, retry) => this.failed(error, timer, retry),
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const pacer = new CommitPacer({ idleMs: this.config.timerPollMs, channel: 'timers' });
    while (this.running) {
      pacer.pollStarts();
      const fired = await this.scheduler.fireDue().catch((error: unknown) => {
        this.logger.error({ err: error }, 'return timers: polling failed');
        return 0;
      });
      if (fired < TIMER_BATCH) await pacer.waitForMore();
    }
  }

  private async fire(timer: Timer, tx: PoolClient): Promise<void> {
    switch (timer.kind) {
      case returnTimerKinds.deadline: {
        const { returnId, deadline } = timer.payload as DeadlineTimerPayload;
        const about = { tenant: timer.tenant, returnId, deadline, timerId: timer.id };
        try {
          const { appended } = await this.returns.execute(
            timerOrigin(timer, RETURN_TIMER),
            returnId,
            { type: 'RecordDeadlineBreach', data: { deadline } },
            tx,
          );
          if (appended.length > 0) this.logger.info({ ...about, appended }, 'return deadline breached');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          this.logger.info({ ...about, code: error.code }, 'return deadline timer: nothing to do');
        }
        return;
      }
      case returnTimerKinds.notice:
        return this.notices.deliver(timer, tx, this.logger);
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }

  private failed(error: unknown, timer: Timer | undefined, retry: TimerRetry | undefined): void {
    if (!timer || !retry) {
      this.logger.error(
        { err: error, timerId: timer?.id },
        'return timers: a timer failed and could not be rescheduled',
      );
      return;
    }
    const { attempts } = retry.payload as { attempts: number };
    this.logger.warn(
      { err: error, timerId: timer.id, kind: timer.kind, attempts, retryInMs: this.backoff.delayMs(attempts) },
      'timer failed; retrying with backoff',
    );
  }
}
