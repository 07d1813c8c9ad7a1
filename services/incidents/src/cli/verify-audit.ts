/**
 * Verifies the tamper evidence of incident audit trails (the event streams' hash chains, and each closed incident's
 * archive against the hash its stream recorded).
 *
 *   DATABASE_URL=postgres://… npm run audit:verify -- --incident <id>
 *   DATABASE_URL=postgres://… npm run audit:verify -- --all
 *
 * Connects to `DATABASE_NAME` (default `aftersales_incidents`) on the server of `DATABASE_URL`, read only. Prints
 * one line per stream (OK / TAMPERED with the first bad event / MISSING); progress of `--all` goes to stderr.
 * Exit code 0 when every stream verifies, 1 when any fails, 2 when it cannot run.
 */
import { Pool } from 'pg';
import { ExitCode, incidentsDatabaseUrl, parseVerifyAuditArgs, USAGE, verifyAudit } from './verify-audit.command';

async function main(): Promise<number> {
  const args = parseVerifyAuditArgs(process.argv.slice(2));
  if ('error' in args) {
    process.stderr.write(`${args.error}\n${USAGE}\n`);
    return ExitCode.Usage;
  }
  const url = incidentsDatabaseUrl(process.env);
  if (!url) {
    process.stderr.write(`set DATABASE_URL to the Postgres server of the incidents service\n${USAGE}\n`);
    return ExitCode.Usage;
  }
  // Read only: verifying must never be able to change what it verifies.
  const pool = new Pool({
    connectionString: url,
    max: 2,
    application_name: 'incidents audit:verify',
    options: '-c default_transaction_read_only=on',
  });
  try {
    return await verifyAudit(pool, args, {
      out: (line) => process.stdout.write(`${line}\n`),
      progress: (line) => process.stderr.write(`${line}\n`),
    });
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ExitCode.Usage;
  },
);
