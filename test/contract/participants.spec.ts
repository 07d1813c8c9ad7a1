import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventCatalogue,
  ExternalProducers,
  ServiceManifests,
  Services,
  serviceManifest,
  type AnyEventContract,
  type Service,
} from '@aftersales/contracts';
import { handledContracts } from '@aftersales/messaging';
import type { ServiceDefinition } from '@aftersales/service-runtime';
import { compensationService } from '@aftersales/compensation';
import { incidentsService } from '@aftersales/incidents';
import { intakeService } from '@aftersales/intake';
import { logisticsService } from '@aftersales/logistics';
import { returnsService } from '@aftersales/returns';
import { surveysService } from '@aftersales/surveys';

// CONTEXT: the AsyncAPI document's send and receive operations come from the manifests in @aftersales/contracts
// (contracts import no service). These tests hold the manifests to what the services really declare, so a consumer
// added, renamed or handling one more contract, or a contract a service starts publishing, fails here until the
// manifest (and so the AsyncAPI document) says so.

const definitions: Record<Service, ServiceDefinition> = {
  intake: intakeService,
  returns: returnsService,
  logistics: logisticsService,
  compensation: compensationService,
  incidents: incidentsService,
  surveys: surveysService,
};

const types = (contracts: readonly AnyEventContract[]) => contracts.map((contract) => contract.type).sort();
const ROOT = join(__dirname, '..', '..');

describe('service manifests (@aftersales/contracts) match the services', () => {
  it('every service has exactly one manifest', () => {
    expect(Services.map((service) => ServiceManifests.filter((m) => m.service === service).length)).toEqual(
      Services.map(() => 1),
    );
  });

  it.each(Services.map((service) => [service]))(
    '%s: the same consumers, each handling the same contracts',
    (service) => {
      const declared = (definitions[service].consumers ?? []).map((consumer) => ({
        consumer: consumer.consumer,
        handles: types(handledContracts(consumer.handlers)),
      }));
      const manifest = serviceManifest(service).consumers.map((consumer) => ({
        consumer: consumer.consumer,
        handles: types(consumer.handles),
      }));
      expect(manifest).toEqual(declared);
    },
  );

  it.each(Services.map((service) => [service]))(
    '%s: publishes exactly the contracts its integration-event mapper produces',
    (service) => {
      // The mapper is a function of stored events, so what it can produce is read from its source: every contract it
      // names by `<Contract>.type` (each branch returns `{ type: <Contract>.type, … }`).
      const source = readFileSync(
        join(ROOT, 'services', service, 'src', 'infrastructure', 'messaging', 'integration-events.ts'),
        'utf8',
      );
      const named = new Set([...source.matchAll(/\b([A-Z][A-Za-z]+V\d+)\.type\b/g)].map((match) => match[1]));
      const byExport = new Map(
        EventCatalogue.map((contract) => [
          // CaseOpenedV1 ← aftersales.intake.case-opened.v1
          `${contract.name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase())}V${contract.version}`,
          contract,
        ]),
      );
      const mapped = [...named].map((name) => {
        const contract = byExport.get(name ?? '');
        if (!contract) throw new Error(`${name} is no contract of the catalogue`);
        return contract;
      });
      expect(types(serviceManifest(service).publishes)).toEqual(types(mapped));
      expect(serviceManifest(service).publishes.every((contract) => contract.service === service)).toBe(true);
    },
  );

  it('every contract has exactly one producer: its service, or an external producer (ingress)', () => {
    const producers = new Map<string, string[]>();
    for (const manifest of ServiceManifests) {
      for (const contract of manifest.publishes)
        producers.set(contract.type, [...(producers.get(contract.type) ?? []), manifest.service]);
    }
    for (const producer of ExternalProducers) {
      for (const contract of producer.publishes)
        producers.set(contract.type, [...(producers.get(contract.type) ?? []), producer.id]);
    }
    expect(EventCatalogue.filter((contract) => producers.get(contract.type)?.length !== 1).map((c) => c.type)).toEqual(
      [],
    );
  });

  it("carrier integrations' scans are an ingress: logistics receives them and does not publish them", () => {
    const [ingress] = ExternalProducers;
    expect(ingress?.publishes.map((contract) => contract.type)).toEqual([
      'aftersales.logistics.carrier-scans-reported.v1',
    ]);
    const logistics = serviceManifest('logistics');
    expect(types(logistics.publishes)).not.toContain('aftersales.logistics.carrier-scans-reported.v1');
    expect(logistics.consumers.find((c) => c.consumer === 'carrier-scans')?.handles.map((c) => c.type)).toEqual([
      'aftersales.logistics.carrier-scans-reported.v1',
    ]);
  });
});
