import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { PoolClient } from 'pg';
import type { StreamSession } from '@aftersales/eventstore';
import { InboxConsumer, type ConsumedEvent, type InboxConsumerOptions, type InboxHandler } from './inbox-consumer';

/**
 * What an `@EventPattern` handler receives beside the payload: the inbox transaction (write every
 * effect through it) and the decoded event with its CloudEvents attributes.
 *
 * @example
 * ```ts
 * @EventPattern(CaseOpenedV1.type)
 * async onCaseOpened(@Payload() data: CaseOpenedV1, @Ctx() ctx: InboxContext) {
 *   await ctx.tx.query('INSERT INTO … ON CONFLICT DO NOTHING', [data.caseId]);
 * }
 * ```
 */
export class InboxContext extends BaseRpcContext<[PoolClient, ConsumedEvent, StreamSession]> {
  get tx(): PoolClient {
    return this.args[0];
  }
  get event(): ConsumedEvent {
    return this.args[1];
  }
  /** The inbox transaction's stream session: commands of one chunk read each stream once (`handleCommand`'s `session`). */
  get session(): StreamSession {
    return this.args[2];
  }
}

/**
 * A NestJS custom transport: service code declares handlers with `@EventPattern('<ce_type>')` and
 * this strategy feeds them through the {@link InboxConsumer} (inbox, retries, dead letters).
 *
 * @example
 * ```ts
 * app.connectMicroservice({ strategy: new InboxTransport({ service: 'surveys', consumer: 'case-register', … }) });
 * ```
 */
export class InboxTransport extends Server implements CustomTransportStrategy {
  private inbox: InboxConsumer | null = null;
  /** Handlers by `ce_type`: Nest resolves a pattern by parsing it, once per type is enough. */
  private readonly handlers = new Map<string, InboxHandler | undefined>();

  constructor(private readonly options: Omit<InboxConsumerOptions, 'handlerFor'>) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.inbox = new InboxConsumer({ ...this.options, handlerFor: (type) => this.cachedHandler(type) });
      await this.inbox.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.inbox?.stop();
    this.inbox = null;
  }

  on(): never {
    throw new Error('InboxTransport has no event listeners; observe it through metrics and logs');
  }

  unwrap<T>(): T {
    return this.inbox as T;
  }

  private cachedHandler(type: string): InboxHandler | undefined {
    if (!this.handlers.has(type)) this.handlers.set(type, this.inboxHandler(type));
    return this.handlers.get(type);
  }

  private inboxHandler(type: string): InboxHandler | undefined {
    const handler = this.getHandlerByPattern(type);
    if (!handler) return undefined;
    return async (event, tx, session) => {
      const result = await handler(event.data, new InboxContext([tx, event, session]));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    };
  }
}
