/**
 * `npm run ops -- <area> <command> …`: operator commands of `@aftersales/ops` (libs/ops/README.md); exits with the
 * command's code (0 done, 1 failed, 2 wrong command line). Ctrl-C ends a following command (`events tail --follow`)
 * and stops a projection rebuild before its swap.
 */
import { runOps } from '@aftersales/ops';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
void runOps(process.argv.slice(2), {
  signal: stop.signal,
  // Every service's definition, imported only for `projection` commands.
  projections: async () => (await import('./ops-projections')).projectionCatalogue,
}).then((code) => process.exit(code));
