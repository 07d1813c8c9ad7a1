/**
 * Breaking changes between the published AsyncAPI document (`contracts/compat/asyncapi.baseline.yaml`) and the current
 * one. Two checks, both must be empty:
 *
 * 1. `@asyncapi/diff` with its AsyncAPI 3 standard: removed or changed servers, channels, addresses, operations,
 *    security… (its `breaking()` list). Two paths are reclassified, with the reason: a new `info.version` is what a
 *    release is (the standard calls any edit breaking), and a message leaving one send operation is judged by check 2,
 *    which knows whether the channel still carries it.
 * 2. Our own, precise where the standard leaves payloads and headers unclassified: every channel (by address) keeps
 *    every message it had; every message a baseline send operation put on a channel is still sent on it by some send
 *    operation; every message's payload and headers schemas keep their promise (`findBreakingChanges`: no property
 *    removed, no type changed, nothing newly required, no enum value removed, no constraint tightened, …).
 */
import { diff } from '@asyncapi/diff';
import { findBreakingChanges, type JSONSchema } from '@aftersales/contracts';

type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};

/** `#/components/messages/x` → `x`; `#/channels/c/messages/m` → the component the channel's message points at. */
function resolveMessage(document: JsonObject, reference: unknown): string | undefined {
  const path = asObject(reference)['$ref'];
  if (typeof path !== 'string') return undefined;
  const parts = path.replace(/^#\//, '').split('/');
  if (parts[0] === 'components' && parts[1] === 'messages') return parts[2];
  if (parts[0] === 'channels' && parts[2] === 'messages' && parts[1] && parts[3]) {
    const channel = asObject(asObject(document['channels'])[parts[1]]);
    return resolveMessage(document, asObject(channel['messages'])[parts[3]]);
  }
  return undefined;
}

/** Channel address → names of the component messages it carries. */
function channelMessages(document: JsonObject): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const channel of Object.values(asObject(document['channels']))) {
    const address = String(asObject(channel)['address']);
    const names = Object.values(asObject(asObject(channel)['messages']))
      .map((reference) => resolveMessage(document, reference))
      .filter((name): name is string => name !== undefined);
    result.set(address, new Set(names));
  }
  return result;
}

/** Channel address → names of the messages some `send` operation puts on it. */
function sentMessages(document: JsonObject): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  const channels = asObject(document['channels']);
  for (const operation of Object.values(asObject(document['operations']))) {
    const op = asObject(operation);
    if (op['action'] !== 'send') continue;
    const channelRef = asObject(op['channel'])['$ref'];
    const channelKey = typeof channelRef === 'string' ? channelRef.replace(/^#\/channels\//, '') : '';
    const address = String(asObject(channels[channelKey])['address']);
    const names = result.get(address) ?? new Set<string>();
    for (const reference of Array.isArray(op['messages']) ? op['messages'] : []) {
      const name = resolveMessage(document, reference);
      if (name) names.add(name);
    }
    result.set(address, names);
  }
  return result;
}

/** The problems `@asyncapi/diff` classifies as breaking, as `<action> <path>` lines. */
export function asyncApiDiffBreaking(published: JsonObject, current: JsonObject): string[] {
  const output = diff(published, current, {
    override: {
      '/info/version': { add: 'non-breaking', remove: 'breaking', edit: 'non-breaking' },
      '/operations/*/messages/*': { add: 'non-breaking', remove: 'unclassified', edit: 'unclassified' },
    },
  });
  const breaking = output.breaking();
  return typeof breaking === 'string' ? [breaking] : breaking.map((change) => `${change.action} ${change.path}`);
}

/** Every channel (by address) keeps every message it carried. */
function channelProblems(published: JsonObject, current: JsonObject): string[] {
  const after = channelMessages(current);
  return [...channelMessages(published)].flatMap(([address, names]) => {
    const now = after.get(address);
    if (!now) return [`channel ${address}: removed`];
    return [...names].filter((name) => !now.has(name)).map((name) => `channel ${address}: message ${name} removed`);
  });
}

/** Every message a send operation put on a channel is still sent on it by some send operation. */
function sendProblems(published: JsonObject, current: JsonObject): string[] {
  const after = sentMessages(current);
  return [...sentMessages(published)].flatMap(([address, names]) =>
    [...names]
      .filter((name) => !after.get(address)?.has(name))
      .map((name) => `channel ${address}: message ${name} no longer sent`),
  );
}

const kafkaKeyOf = (message: unknown): unknown => asObject(asObject(asObject(message)['bindings'])['kafka'])['key'];

/** One message's payload, headers and Kafka key keep their promise. */
function messageProblems(name: string, message: unknown, now: unknown): string[] {
  const problems: string[] = [];
  for (const part of ['payload', 'headers'] as const) {
    const old = asObject(message)[part];
    if (old === undefined) continue;
    const changes = findBreakingChanges(old as JSONSchema, (asObject(now)[part] ?? {}) as JSONSchema);
    problems.push(...changes.map((change) => `message ${name} ${part}: ${change}`));
  }
  const [oldKey, newKey] = [kafkaKeyOf(message), kafkaKeyOf(now)];
  if (oldKey === undefined) return problems;
  if (newKey === undefined) return [...problems, `message ${name}: Kafka key binding removed`];
  const changes = findBreakingChanges(oldKey as JSONSchema, newKey as JSONSchema);
  return [...problems, ...changes.map((change) => `message ${name} Kafka key: ${change}`)];
}

/** Our own check (see the module comment), as readable lines. */
export function asyncApiContractBreaking(published: JsonObject, current: JsonObject): string[] {
  const messagesAfter = asObject(asObject(current['components'])['messages']);
  const messageChanges = Object.entries(asObject(asObject(published['components'])['messages'])).flatMap(
    ([name, message]) =>
      messagesAfter[name] === undefined
        ? [`message ${name}: removed`]
        : messageProblems(name, message, messagesAfter[name]),
  );
  return [...channelProblems(published, current), ...sendProblems(published, current), ...messageChanges];
}

/** Both checks together: what a release must not contain. */
export function findAsyncApiBreakingChanges(published: JsonObject, current: JsonObject): string[] {
  return [...asyncApiDiffBreaking(published, current), ...asyncApiContractBreaking(published, current)];
}
