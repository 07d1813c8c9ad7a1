/** Location of the published-schema baselines: `contracts/compat/published/<ce_type>.json`. */
import { join } from 'node:path';

/** Directory holding one baseline per published event version. */
export const BASELINE_DIR = join(__dirname, '..', 'compat', 'published');

/** Path of the baseline of a `ce_type`. */
export function baselinePath(ceType: string): string {
  return join(BASELINE_DIR, `${ceType}.json`);
}
