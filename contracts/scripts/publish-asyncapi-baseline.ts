/**
 * Publishes the current `contracts/asyncapi.yaml` as the baseline integrators were promised,
 * `contracts/compat/asyncapi.baseline.yaml` — only when it breaks nothing of the published one (`findAsyncApiBreakingChanges`);
 * otherwise it reports the breaking changes and exits 1 (they need a new event version, or a new major version of the
 * contracts announced as such).
 *
 *   npx tsx contracts/scripts/publish-asyncapi-baseline.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { findAsyncApiBreakingChanges } from './asyncapi-compat';

export const ASYNCAPI_FILE = join(__dirname, '..', 'asyncapi.yaml');
export const ASYNCAPI_BASELINE = join(__dirname, '..', 'compat', 'asyncapi.baseline.yaml');

function main(): void {
  const current = readFileSync(ASYNCAPI_FILE, 'utf8');
  const published = readFileSync(ASYNCAPI_BASELINE, 'utf8');
  const breaking = findAsyncApiBreakingChanges(
    parse(published) as Record<string, unknown>,
    parse(current) as Record<string, unknown>,
  );
  const shown = relative(process.cwd(), ASYNCAPI_BASELINE);
  if (breaking.length > 0) {
    console.error(`refused: ${shown} stays as it is; the current document breaks it:\n  ${breaking.join('\n  ')}`);
    process.exitCode = 1;
    return;
  }
  const version = (parse(current) as { info?: { version?: string } }).info?.version ?? '?';
  const header = [
    `# PUBLISHED AsyncAPI document (contracts ${version}): the promise test/contract/asyncapi-compat.spec.ts holds HEAD to.`,
    '# Moved forward only by contracts/scripts/publish-asyncapi-baseline.ts, which refuses a breaking change.',
  ].join('\n');
  writeFileSync(ASYNCAPI_BASELINE, `${header}\n${current}`);
  console.log(`published ${shown} (contracts ${version})`);
}

if (require.main === module) main();
