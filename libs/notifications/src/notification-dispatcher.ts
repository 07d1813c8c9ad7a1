import type { PoolClient } from 'pg';
import { assertNever } from '@aftersales/domain';
import { webhookOrigin, type WebhookRefusal } from './allow-list';
import type { DeliveryLedger, DeliveryRecord } from './delivery-ledger.port';
import type { Notifier } from './notifier.port';

/** One notification to deliver once, from a durable timer's firing. */
export interface NotificationRequest<Subject, Body> {
  /** The idempotency key: the id of the event that asked for it (sent as `Idempotency-Key`, the ledger's key). */
  readonly key: string;
  readonly tenant: string;
  /** What is notified (`page`, `sla-escalation`, …): recorded, and named in the error of a failed attempt. */
  readonly kind: string;
  /** What it is about, in the service's terms: recorded with the delivery. */
  readonly subject: Subject;
  /** The webhook URL; `null` when none is configured: nothing is called, the delivery is recorded to `none`. */
  readonly target: string | null;
  /** The JSON body. */
  readonly body: Body;
  /** This attempt, counting from 1 (`deliveryAttempt(timer)`). */
  readonly attempt: number;
}

/** How {@link NotificationDispatcher.deliverOnce} ended, when it did not throw. */
export type DispatchResult<Subject> =
  /** Recorded by an earlier firing: nothing done. */
  | { readonly outcome: 'already-recorded' }
  /** Delivered (2xx) and recorded. */
  | { readonly outcome: 'delivered'; readonly record: DeliveryRecord<Subject> }
  /** No webhook configured: recorded as delivered to `none`, nothing called. */
  | { readonly outcome: 'no-target'; readonly record: DeliveryRecord<Subject> }
  /** Refused for good by the allow-list: recorded with the reason, nothing called, never retried. */
  | { readonly outcome: 'refused'; readonly record: DeliveryRecord<Subject>; readonly refusal: WebhookRefusal };

/** The logger {@link logDispatch} writes to (a pino logger fits). */
export interface DispatchLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Logs how a delivery ended, alike in every service: delivered at `info` (with its attempts), refused for good at
 * `error` (the receiver's origin only, never its path or query, and the reason), no webhook configured at `warn` when
 * the service says what that leaves (`noTarget`), else silently; a delivery an earlier firing recorded, silently.
 *
 * @example
 * ```ts
 * logDispatch(logger, result, { notice: 'shipment notice', receiver: 'notification', target: url, about: { key } });
 * ```
 */
export function logDispatch<Subject>(
  logger: DispatchLogger,
  result: DispatchResult<Subject>,
  report: {
    /** What is delivered, as log messages name it (`survey notice`). */
    readonly notice: string;
    /** What the receiver is, for its origin when the URL cannot be parsed (`survey gateway`). */
    readonly receiver: string;
    readonly target: string | null;
    /** The fields that identify the notice in the log. */
    readonly about: object;
    /** Logged at `warn` when no webhook is configured: what that means for the notice. */
    readonly noTarget?: string;
  },
): void {
  const { notice, receiver, target, about, noTarget } = report;
  switch (result.outcome) {
    case 'already-recorded':
      return;
    case 'no-target':
      if (noTarget) logger.warn(about, noTarget);
      return;
    case 'refused':
      logger.error(
        {
          ...about,
          receiver: target === null ? 'none' : webhookOrigin(target, receiver),
          reason: result.record.refused,
        },
        `${notice} refused for good, not retried`,
      );
      return;
    case 'delivered':
      logger.info({ ...about, attempts: result.record.attempts }, `${notice} delivered`);
      return;
    default:
      return assertNever(result);
  }
}

/**
 * A delivery attempt that did not reach the receiver, or that it did not take (no answer in time, any answer but
 * 2xx). Thrown so that the delivery timer's transaction rolls back and the timer is retried with backoff
 * (`TimerBackoff`), under the same idempotency key.
 */
export class NotificationDeliveryFailed extends Error {
  readonly code = 'NOTIFICATION.DELIVERY_FAILED';
  constructor(
    readonly kind: string,
    readonly key: string,
    /** What happened (the target's origin only). */
    readonly reason: string,
    /** The receiver's answer; `null` when there was none. */
    readonly statusCode: number | null,
  ) {
    super(`${kind} ${key} was not delivered: ${reason}`);
    this.name = 'NotificationDeliveryFailed';
  }
}

/**
 * Delivers a notification once, across retries and restarts, when called from the durable timer that carries it
 * (scheduled in the transaction of the event that asked for the notification, the event's id as its key):
 *
 * - recorded already → nothing;
 * - no target → recorded as delivered to `none`;
 * - the {@link Notifier} answers `delivered` → recorded with the status, in the timer's transaction: the timer is
 *   spent exactly when the record commits;
 * - `refused` (outside the allow-list) → recorded with the reason and the target's origin, never retried;
 * - `failed` → throws {@link NotificationDeliveryFailed}: nothing is recorded, the timer is retried with backoff.
 *
 * The receiver call and the record cannot commit together: a crash between a 2xx and the commit makes the next
 * firing deliver again, with the same `Idempotency-Key`, which the receiver deduplicates. That is the exactly-once
 * this gives: once recorded, at least once received, once acted on by a receiver that honours the key.
 *
 * @example
 * ```ts
 * const dispatcher = new NotificationDispatcher(notifier, ledger, clock);
 * // in the timer's fire(timer, tx):
 * const result = await dispatcher.deliverOnce(tx, {
 *   key: timer.payload.eventId, tenant: timer.tenant, kind: 'sla-escalation', subject: { caseId, rung },
 *   target: webhookUrl, body, attempt: deliveryAttempt(timer),
 * });
 * ```
 */
export class NotificationDispatcher<Subject> {
  constructor(
    private readonly notifier: Notifier,
    private readonly ledger: DeliveryLedger<Subject>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deliverOnce<Body>(
    tx: PoolClient,
    request: NotificationRequest<Subject, Body>,
  ): Promise<DispatchResult<Subject>> {
    if (await this.ledger.isRecorded(tx, request.key)) return { outcome: 'already-recorded' };
    if (request.target === null) {
      return { outcome: 'no-target', record: await this.record(tx, request, 'no-target', 'none', null) };
    }
    const answer = await this.notifier.deliver({
      idempotencyKey: request.key,
      target: request.target,
      body: request.body,
    });
    switch (answer.outcome) {
      case 'delivered':
        return {
          outcome: 'delivered',
          record: await this.record(tx, request, 'delivered', request.target, answer.statusCode),
        };
      case 'refused': {
        const record = await this.record(tx, request, 'refused', answer.target, null, answer.reason);
        return { outcome: 'refused', record, refusal: answer.refusal };
      }
      case 'failed':
        throw new NotificationDeliveryFailed(request.kind, request.key, answer.reason, answer.statusCode);
      default:
        return assertNever(answer);
    }
  }

  /**
   * {@link deliverOnce} for several notifications at once (the delivery timers of one claim): which are recorded
   * already is read in one query, the receivers are called side by side, and what ended is recorded in one statement.
   * Answers in the order asked: a result, or the {@link NotificationDeliveryFailed} of a notification whose receiver
   * failed (nothing recorded for it: its timer is retried). A key asked twice is delivered once (then
   * `already-recorded`).
   */
  async deliverMany<Body>(
    tx: PoolClient,
    requests: ReadonlyArray<NotificationRequest<Subject, Body>>,
  ): Promise<Array<DispatchResult<Subject> | NotificationDeliveryFailed>> {
    const recorded = await this.ledger.recordedAmong(
      tx,
      requests.map((r) => r.key),
    );
    const taken = new Set<string>();
    const records: Array<DeliveryRecord<Subject>> = [];
    const results = await Promise.all(
      requests.map(async (request): Promise<DispatchResult<Subject> | NotificationDeliveryFailed> => {
        if (recorded.has(request.key) || taken.has(request.key)) return { outcome: 'already-recorded' };
        taken.add(request.key);
        if (request.target === null) {
          const record = this.recordOf(request, 'no-target', 'none', null);
          records.push(record);
          return { outcome: 'no-target', record };
        }
        const answer = await this.notifier.deliver({
          idempotencyKey: request.key,
          target: request.target,
          body: request.body,
        });
        switch (answer.outcome) {
          case 'delivered': {
            const record = this.recordOf(request, 'delivered', request.target, answer.statusCode);
            records.push(record);
            return { outcome: 'delivered', record };
          }
          case 'refused': {
            const record = this.recordOf(request, 'refused', answer.target, null, answer.reason);
            records.push(record);
            return { outcome: 'refused', record, refusal: answer.refusal };
          }
          case 'failed':
            return new NotificationDeliveryFailed(request.kind, request.key, answer.reason, answer.statusCode);
          default:
            return assertNever(answer);
        }
      }),
    );
    await this.ledger.recordAll(tx, records);
    return results;
  }

  /**
   * {@link deliverMany} for notices carried by timers, one each: each timer's outcome by its id — `delivered` when its
   * notice is recorded (delivered, without a target, refused for good, or recorded before; each told to `told`), else
   * the failure (nothing recorded: its timer is retried).
   */
  async deliverTimers<Timer extends { readonly id: string }, Body>(
    tx: PoolClient,
    timers: readonly Timer[],
    requestOf: (timer: Timer) => NotificationRequest<Subject, Body>,
    told: (request: NotificationRequest<Subject, Body>, result: DispatchResult<Subject>) => void,
  ): Promise<Map<string, 'delivered' | NotificationDeliveryFailed>> {
    const requests = timers.map(requestOf);
    const results = await this.deliverMany(tx, requests);
    const outcomes = new Map<string, 'delivered' | NotificationDeliveryFailed>();
    results.forEach((result, i) => {
      const id = (timers[i] as Timer).id;
      if (result instanceof NotificationDeliveryFailed) {
        outcomes.set(id, result);
        return;
      }
      told(requests[i] as NotificationRequest<Subject, Body>, result);
      outcomes.set(id, 'delivered');
    });
    return outcomes;
  }

  private recordOf<Body>(
    request: NotificationRequest<Subject, Body>,
    outcome: DeliveryRecord<Subject>['outcome'],
    target: string,
    statusCode: number | null,
    refused: string | null = null,
  ): DeliveryRecord<Subject> {
    const { key, tenant, kind, subject, attempt } = request;
    return {
      key,
      tenant,
      kind,
      subject,
      outcome,
      target,
      statusCode,
      attempts: attempt,
      recordedAt: this.now(),
      refused,
    };
  }

  private async record<Body>(
    tx: PoolClient,
    request: NotificationRequest<Subject, Body>,
    outcome: DeliveryRecord<Subject>['outcome'],
    target: string,
    statusCode: number | null,
    refused: string | null = null,
  ): Promise<DeliveryRecord<Subject>> {
    const record = this.recordOf(request, outcome, target, statusCode, refused);
    await this.ledger.record(tx, record);
    return record;
  }
}
