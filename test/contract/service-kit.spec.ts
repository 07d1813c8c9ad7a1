import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every service inherits the HTTP suites of `@aftersales/test-kit` (OpenAPI document, token negatives, authorization
 * grid, hostile-input fuzzer) through one small file, `services/<name>/test/http-kit.int.spec.ts`, that calls
 * `describeHttpKit(<its service definition>)`. A service without it fails here, so a new one cannot skip them.
 */
const ROOT = join(__dirname, '..', '..');
const services = readdirSync(join(ROOT, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'services', entry.name, 'package.json')))
  .map((entry) => entry.name);

describe('every service runs the inherited HTTP suites', () => {
  it.each(services)('%s has test/http-kit.int.spec.ts calling describeHttpKit', (service) => {
    const file = join(ROOT, 'services', service, 'test', 'http-kit.int.spec.ts');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/describeHttpKit\(\s*\w+Service\b/);
  });
});
