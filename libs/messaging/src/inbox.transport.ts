import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { systemOrigin } from '@aftersales/eventstore';
import { InboxConsumer, type InboxConsumerOptions, type InboxHandler } from './inbox-consumer';
import { inboxTransportId, type InboxEvent } from './inbox-handlers';

/**
 * A NestJS custom transport, one per inbox consumer: service code declares handlers with `@Handles(Contract)`, the
 * service definition lists them per consumer, and this strategy feeds each consumer's own handlers (its transport id
 * scopes them) through the {@link InboxConsumer} (inbox, retries, dead letters) with a typed {@link InboxEvent}.
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
    this.setTransportId(inboxTransportId(options.service, options.consumer));
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
    const actor = `${this.options.service}.${this.options.consumer}`;
    return async (event, tx, session) => {
      const inboxEvent: InboxEvent = {
        ...event,
        tx,
        session,
        origin: systemOrigin(
          actor,
          { tenant: event.tenant, correlationId: event.correlationId, causationId: event.id },
          event.id,
        ),
      };
      const result = await handler(inboxEvent);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    };
  }
}
