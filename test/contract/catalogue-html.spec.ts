import { readFileSync } from 'node:fs';
import { EventCatalogue, ServiceManifests, Topics, dlqTopic } from '@aftersales/contracts';
import { CATALOGUE_FILE, catalogueText } from '../../contracts/scripts/generate-catalogue';
import { schemaFile } from '../../contracts/scripts/schemas';

describe('contracts/catalogue/index.html', () => {
  const committed = readFileSync(CATALOGUE_FILE, 'utf8');

  it('is up to date (if not: npx tsx contracts/scripts/generate-catalogue.ts)', () => {
    expect(committed === catalogueText()).toBe(true);
  });

  it('lists every topic, every event version with its schema file, and every dead-letter topic', () => {
    for (const topic of Object.values(Topics)) expect(committed).toContain(`<code>${topic}</code>`);
    for (const contract of EventCatalogue) {
      expect(committed).toContain(`<h3><code>${contract.type}</code></h3>`);
      expect(committed).toContain(`href="../schemas/${schemaFile(contract)}"`);
    }
    for (const manifest of ServiceManifests) {
      for (const consumer of manifest.consumers)
        expect(committed).toContain(dlqTopic(manifest.service, consumer.consumer));
    }
  });

  it('is a well-formed page: every opened section, table and code element is closed', () => {
    for (const tag of ['section', 'table', 'code', 'details', 'pre', 'dl']) {
      const opened = committed.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
      const closed = committed.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect({ tag, opened }).toEqual({ tag, opened: closed });
    }
  });
});
