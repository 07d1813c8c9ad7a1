import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every service inherits the suites of `@aftersales/test-kit` through two small files: the HTTP suites (OpenAPI
 * document, token negatives, authorization grid, hostile-input fuzzer) in `services/<name>/test/http-kit.int.spec.ts`
 * calling `describeHttpKit(<its service definition>)`, and the poison-message suite in
 * `services/<name>/test/poison-messages.int.spec.ts` calling `describePoisonMessages(<its service definition>)`.
 * A service without them fails here, so a new one cannot skip them.
 */
const ROOT = join(__dirname, '..', '..');
const services = readdirSync(join(ROOT, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'services', entry.name, 'package.json')))
  .map((entry) => entry.name);

describe('every service runs the inherited suites', () => {
  it.each(services)('%s has test/http-kit.int.spec.ts calling describeHttpKit', (service) => {
    const file = join(ROOT, 'services', service, 'test', 'http-kit.int.spec.ts');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/describeHttpKit\(\s*\w+Service\b/);
  });

  it.each(services)('%s has test/poison-messages.int.spec.ts calling describePoisonMessages', (service) => {
    const file = join(ROOT, 'services', service, 'test', 'poison-messages.int.spec.ts');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/describePoisonMessages\(\s*\w+Service\b/);
  });
});
