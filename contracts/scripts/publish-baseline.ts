/**
 * Records the schema of every event version that has no baseline yet in
 * `contracts/compat/published/<ce_type>.json`. Existing baselines are NEVER overwritten: they are
 * what integrators were promised, and the compatibility test checks current schemas against them.
 *
 *   npx tsx contracts/scripts/publish-baseline.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EventCatalogue, toJSONSchema, type AnyEventContract } from '@aftersales/contracts';
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
  mkdirSync(BASELINE_DIR, { recursive: true });
  for (const contract of EventCatalogue) {
    const path = baselinePath(contract.type);
    const shown = relative(process.cwd(), path);
    try {
      writeFileSync(path, await baselineText(contract), { flag: 'wx' }); // wx: fails if the file exists
      console.log(`published ${shown}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      console.log(`kept      ${shown} (already published)`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
