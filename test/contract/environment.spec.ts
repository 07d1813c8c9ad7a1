import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT, renderEnvironmentDocs } from '@aftersales/service-runtime';
import { variablesReadInCode } from './environment-scan';

const ROOT = join(__dirname, '..', '..');

// CONTEXT: one table of every environment variable (libs/service-runtime/src/environment.ts → docs/environment.md).
// Code that starts reading a variable without adding it to the table fails here.
describe('environment variables: one generated table', () => {
  const read = variablesReadInCode();
  const catalogued = new Set(ENVIRONMENT.map((v) => v.name));

  it('lists every variable the services, libraries and tools read', () => {
    const missing = [...read]
      .filter(([name]) => !catalogued.has(name))
      .map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    expect(ENVIRONMENT.map((v) => v.name).filter((name) => !read.has(name))).toEqual([]);
  });

  it('names each variable once', () => {
    expect(ENVIRONMENT.length).toBe(catalogued.size);
  });

  it('is published as docs/environment.md, generated (npm run docs:env)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'environment.md'), 'utf8')).toBe(renderEnvironmentDocs());
  });
});
