/**
 * Records the schema of every event version that has no baseline yet in
 * `contracts/compat/published/<ce_type>.json`. Existing baselines are NEVER overwritten by a breaking change: they are
 * what integrators were promised, and the compatibility test checks current schemas against them.
 *
 *   npx tsx contracts/scripts/publish-baseline.ts            # new versions only
 *   npx tsx contracts/scripts/publish-baseline.ts --extend   # and move published baselines forward to additive changes
 *
 * `--extend` rewrites an existing baseline only when the current schema is compatible with it (`findBreakingChanges`
 * finds nothing): the new optional properties, enum values and relaxed bounds become part of the promise, so removing
 * them later fails the compatibility test too. A baseline the current schema breaks is left as it is and reported
 * (exit code 1): that change needs a new version.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  EventCatalogue,
  findBreakingChanges,
  toJSONSchema,
  type AnyEventContract,
  type JSONSchema,
} from '@aftersales/contracts';
import { BASELINE_DIR, baselinePath } from './baselines';
import { formatLikeRepository } from './format';

/** A contract's JSON Schema, formatted like the rest of the repository. */
function baselineText(contract: AnyEventContract): Promise<string> {
  return formatLikeRepository(
    `${JSON.stringify(toJSONSchema(contract.schema), null, 2)}\n`,
    baselinePath(contract.type),
  );
}

async function main(): Promise<void> {
  const extend = process.argv.includes('--extend');
  mkdirSync(BASELINE_DIR, { recursive: true });
  let refused = 0;
  for (const contract of EventCatalogue) {
    const path = baselinePath(contract.type);
    const shown = relative(process.cwd(), path);
    const text = await baselineText(contract);
    if (!existsSync(path)) {
      writeFileSync(path, text, { flag: 'wx' }); // wx: fails if the file appeared meanwhile
      console.log(`published ${shown}`);
      continue;
    }
    const published = readFileSync(path, 'utf8');
    if (!extend || published === text) {
      console.log(`kept      ${shown} (already published)`);
      continue;
    }
    const breaking = findBreakingChanges(JSON.parse(published) as JSONSchema, toJSONSchema(contract.schema));
    if (breaking.length > 0) {
      refused += 1;
      console.error(
        `refused   ${shown}: the current schema breaks it (needs a new version):\n  ${breaking.join('\n  ')}`,
      );
      continue;
    }
    writeFileSync(path, text);
    console.log(`extended  ${shown} (additive changes)`);
  }
  if (refused > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
