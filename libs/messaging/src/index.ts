export * from './ports';
export * from './kafkajs.adapter';
export * from './kafka-security';
export * from './cloudevents';
export * from './outbox-relay';
export * from './inbox-consumer';
export * from './inbox.transport';
export * from './inbox-handlers';
