import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  asyncApiContractBreaking,
  asyncApiDiffBreaking,
  findAsyncApiBreakingChanges,
} from '../../contracts/scripts/asyncapi-compat';
import { ASYNCAPI_BASELINE, ASYNCAPI_FILE } from '../../contracts/scripts/publish-asyncapi-baseline';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form YAML under test

const published = (): Doc => parse(readFileSync(ASYNCAPI_BASELINE, 'utf8')) as Doc;
const current = (): Doc => parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as Doc;

describe('the AsyncAPI document keeps the published promise (contracts/compat/asyncapi.baseline.yaml)', () => {
  it('HEAD breaks nothing the published baseline promised (@asyncapi/diff and the contract check)', () => {
    expect(findAsyncApiBreakingChanges(published(), current())).toEqual([]);
  });

  it('the baseline is an older or equal release', () => {
    const version = (doc: Doc) => String(doc.info.version).split('.').map(Number);
    const [before, now] = [version(published()), version(current())];
    const order = before.findIndex((part, i) => part !== now[i]);
    expect(order === -1 || (before[order] ?? 0) < (now[order] ?? 0)).toBe(true);
  });
});

describe('findAsyncApiBreakingChanges detects', () => {
  const channelOf = (doc: Doc, address: string): string =>
    Object.keys(doc.channels).find((id) => doc.channels[id].address === address) ?? '';
  const INTAKE = 'aftersales.intake.events';
  const CASE_OPENED = 'aftersales.intake.case-opened.v1';

  it('a removed channel (diff: channels/*) ', () => {
    const doc = current();
    delete doc.channels[channelOf(doc, INTAKE)];
    expect(asyncApiDiffBreaking(current(), doc)).toContain(`remove /channels/${channelOf(current(), INTAKE)}`);
    expect(asyncApiContractBreaking(current(), doc)).toContain(`channel ${INTAKE}: removed`);
  });

  it('a changed topic address', () => {
    const doc = current();
    doc.channels[channelOf(doc, INTAKE)].address = 'aftersales.intake.events.v2';
    expect(asyncApiDiffBreaking(current(), doc)).toContain(`edit /channels/${channelOf(current(), INTAKE)}/address`);
  });

  it('a removed server and a changed production protocol', () => {
    const doc = current();
    delete doc.servers.local;
    doc.servers.production.protocol = 'kafka';
    expect(asyncApiDiffBreaking(current(), doc)).toEqual(
      expect.arrayContaining(['remove /servers/local', 'edit /servers/production/protocol']),
    );
  });

  it('a message no longer sent by any send operation on its channel', () => {
    const doc = current();
    for (const operation of Object.values(doc.operations) as Doc[]) {
      operation.messages = operation.messages.filter((m: Doc) => !String(m.$ref).endsWith(`/${CASE_OPENED}`));
    }
    expect(asyncApiContractBreaking(current(), doc)).toEqual([
      `channel ${INTAKE}: message ${CASE_OPENED} no longer sent`,
    ]);
  });

  it('a payload property removed, a header no longer required, an enum value removed', () => {
    const doc = current();
    const message = doc.components.messages[CASE_OPENED];
    delete message.payload.properties.orderId;
    message.headers.required = message.headers.required.filter((name: string) => name !== 'ce_time');
    message.payload.properties.channel.enum = message.payload.properties.channel.enum.slice(1);
    const problems = asyncApiContractBreaking(current(), doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        `message ${CASE_OPENED} payload: $.orderId: property removed`,
        `message ${CASE_OPENED} headers: $.ce_time: property no longer required`,
        expect.stringMatching(
          new RegExp(
            `^message ${CASE_OPENED.replace(/\./g, '\\.')} payload: \\$\\.channel: enum value "\\w+" removed$`,
          ),
        ),
      ]),
    );
  });

  it('a message removed from the catalogue, and its Kafka key changed', () => {
    const doc = current();
    delete doc.components.messages[CASE_OPENED];
    expect(asyncApiContractBreaking(current(), doc)).toContain(`message ${CASE_OPENED}: removed`);
    const keyed = current();
    keyed.components.messages[CASE_OPENED].bindings.kafka.key.format = 'uri';
    expect(asyncApiContractBreaking(current(), keyed)).toEqual([
      `message ${CASE_OPENED} Kafka key: $: format changed from "uuid" to "uri"`,
    ]);
  });

  it('nothing in additive changes: a new optional payload property, a new channel, a new version number', () => {
    const doc = current();
    doc.info.version = '9.9.9';
    doc.components.messages[CASE_OPENED].payload.properties.note = { type: 'string' };
    doc.channels.newTopic = { address: 'aftersales.new.events', messages: {} };
    expect(findAsyncApiBreakingChanges(current(), doc)).toEqual([]);
  });
});
