/**
 * `npm run ops -- <area> <command> …`: operator commands of `@aftersales/ops` (libs/ops/README.md); exits with the
 * command's code (0 done, 1 failed, 2 wrong command line).
 */
import { runOps } from '@aftersales/ops';

void runOps(process.argv.slice(2)).then((code) => process.exit(code));
