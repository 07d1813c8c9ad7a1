import { PostgresEventStore, type Queryable } from '@aftersales/eventstore';
import { incidentStreams, verifyIncidentAudit } from '../infrastructure/read-model/audit-verification';
import { incidentStream } from '../application/incident-streams';

/** What to verify: named incidents, every incident stream, or both. */
export interface VerifyAuditArgs {
  readonly incidents: readonly string[];
  readonly all: boolean;
}

export const USAGE = 'usage: npm run audit:verify -- --incident <id> [--incident <id> …] | --all';

/** Exit codes: every stream verified, a stream failed (tampered or missing), the command could not run. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

/** The arguments, or a message saying what is wrong with them. */
export function parseVerifyAuditArgs(argv: readonly string[]): VerifyAuditArgs | { readonly error: string } {
  const incidents: string[] = [];
  let all = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--all') all = true;
    else if (arg === '--incident') {
      const id = argv[i + 1];
      if (!id || id.startsWith('--')) return { error: '--incident needs an incident id' };
      incidents.push(id);
      i++;
    } else if (arg?.startsWith('--incident=')) incidents.push(arg.slice('--incident='.length));
    else return { error: `unknown argument ${arg}` };
  }
  if (!all && incidents.length === 0) return { error: 'name an incident (--incident <id>) or verify --all' };
  return { incidents, all };
}

/** How often `--all` reports progress (and once at the end). */
const PROGRESS_EVERY = 100;

/**
 * Verifies the hash chain (and stream head) of each incident stream and prints one line per stream:
 * `OK`, `TAMPERED` with the first bad event, or `MISSING` when the named incident has no events. Returns the exit
 * code: 1 when any stream fails.
 *
 * @example
 * ```ts
 * const code = await verifyAudit(pool, { incidents: [id], all: false }, { out: console.log, progress: console.error });
 * ```
 */
export async function verifyAudit(
  db: Queryable,
  args: VerifyAuditArgs,
  io: { readonly out: (line: string) => void; readonly progress: (line: string) => void },
): Promise<number> {
  const store = new PostgresEventStore(db);
  const named = args.incidents.map(incidentStream);
  const streams = [...new Set([...named, ...(args.all ? await incidentStreams(db) : [])])];
  if (args.all) io.progress(`verifying ${streams.length} incident streams`);
  const failed = { tampered: 0, missing: 0 };
  for (const [index, streamId] of streams.entries()) {
    const result = await verifyIncidentAudit(store, db, streamId);
    if (result.ok && result.events === 0) {
      failed.missing += 1;
      io.out(`MISSING   ${streamId}: no events stored`);
    } else if (result.ok) {
      io.out(`OK        ${streamId}: ${result.events} events, hash chain intact`);
    } else {
      failed.tampered += 1;
      const { eventId, streamVersion, position } = result.firstInvalid;
      const where =
        eventId === null
          ? `version ${streamVersion} (deleted)`
          : `${eventId} (version ${streamVersion}, position ${position})`;
      io.out(`TAMPERED  ${streamId}: first bad event ${where}: ${result.reason}`);
    }
    const done = index + 1;
    if (args.all && (done % PROGRESS_EVERY === 0 || done === streams.length)) {
      io.progress(`progress: ${done}/${streams.length} streams verified, ${failed.tampered} tampered`);
    }
  }
  const ok = streams.length - failed.tampered - failed.missing;
  io.out(
    `${streams.length} stream(s): ${ok} OK, ${failed.tampered} TAMPERED` +
      (failed.missing ? `, ${failed.missing} MISSING` : ''),
  );
  return failed.tampered + failed.missing > 0 ? ExitCode.Failed : ExitCode.Ok;
}

/** The incidents database on the server of `DATABASE_URL`: `DATABASE_NAME`, by default `aftersales_incidents`. */
export function incidentsDatabaseUrl(env: NodeJS.ProcessEnv): string | null {
  const server = env.DATABASE_URL?.trim();
  if (!server) return null;
  const url = new URL(server);
  url.pathname = `/${env.DATABASE_NAME?.trim() || 'aftersales_incidents'}`;
  return url.toString();
}
