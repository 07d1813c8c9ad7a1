import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '@aftersales/testing';

/**
 * A service started as its own process through its real `main.ts`, the way `npm start` runs it (end-to-end tests,
 * benchmarks, the fault runner). Its output goes to a log file — the test run's (`LOG_FILE`, printed by the
 * integration test environment only when a test fails) or one of its own — never to the test's console.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream | null = null;
  private exitExpected = false;
  readonly url: string;
  /** Exits nobody asked for (not `stop()` or `kill()`): a crash. */
  readonly unexpectedExits: Array<{ readonly code: number | null; readonly signal: string | null; readonly at: Date }> =
    [];
  /** Where this process's output goes. */
  readonly logFile: string;

  constructor(
    readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly options: {
      logFile?: string;
      /**
       * A compiled entry point run with plain `node` (`<dist>/services/<service>/src/main.js` of `npm run build`)
       * instead of the service's `main.ts` under tsx; its directory tree is the working directory's.
       */
      entry?: { readonly main: string; readonly cwd: string };
    } = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.logFile =
      options.logFile ??
      process.env.LOG_FILE ??
      join(tmpdir(), 'aftersales-logs', `${service}-${port}-${process.pid}.log`);
  }

  /**
   * Spawns the service and resolves once `GET /health/ready` answers 2xx; fails at once if the process exits.
   *
   * The deadline detects a hang; it is not a speed requirement. A start costs about 5 s of CPU per service (module
   * loading under tsx), so on a shared 2-core machine its wall time is whatever the other work leaves (three concurrent
   * starts measured ~20 s beside other test runs, 46 s with two more busy processes). The default sits just inside the
   * hook and test timeout (120 s, libs/testing/src/jest-setup.ts), so a real hang still fails with the service's logs,
   * and the message says how much CPU the process got meanwhile (starved or stuck).
   */
  async start(timeoutMs = 100_000): Promise<void> {
    // SERVICE_CPU_PROFILE_DIR=/tmp/profiles writes V8 CPU profiles of each service process when it stops, one file
    // per thread under <dir>/<service>/ (Node's default names: CPU.<date>.<time>.<pid>.<thread>.<seq>). The service's
    // own code runs on the main thread; tsx's module loader runs on a worker thread of its own, whose profile a single
    // fixed file name would overwrite the main thread's with.
    const profile = process.env.SERVICE_CPU_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.SERVICE_CPU_PROFILE_DIR, this.service)}`]
      : [];
    const entry = this.options.entry;
    const command = entry
      ? [entry.main]
      : ['--import', 'tsx', join(REPO_ROOT, 'services', this.service, 'src', 'main.ts')];
    mkdirSync(dirname(this.logFile), { recursive: true });
    appendFileSync(this.logFile, `--- ${new Date().toISOString()} ${this.service} starting on ${this.url}\n`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const { LOG_FILE: _inherited, ...parentEnv } = process.env;
    const child = spawn(process.execPath, [...profile, ...command], {
      cwd: entry?.cwd ?? REPO_ROOT,
      env: {
        // Test brokers are single nodes: topics with one replica (the services' production default is 3 / 2).
        KAFKA_REPLICATION_FACTOR: '1',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        ...parentEnv,
        ...this.env,
        PORT: String(this.port),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitExpected = false;
    child.once('exit', (code, signal) => {
      if (!this.exitExpected) this.unexpectedExits.push({ code, signal, at: new Date() });
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    const started = Date.now();
    const deadline = started + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.service} exited (${child.exitCode}):\n${this.logs()}`);
      try {
        const res = await fetch(`${this.url}/health/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu = cpuSecondsOf(child.pid);
    const used =
      cpu === null ? '' : ` (it used ${cpu.toFixed(1)} s of CPU in ${((Date.now() - started) / 1000).toFixed(0)} s)`;
    throw new Error(`${this.service} was not ready within ${timeoutMs} ms${used}:\n${this.logs()}`);
  }

  /**
   * SIGTERM and wait (SIGKILL after `killAfterMs`, like Kubernetes after its grace period): the service shuts down
   * gracefully (readiness, HTTP drain, consumers, relay) and exits; {@link exitCode} tells how.
   */
  async stop(killAfterMs = 15_000): Promise<void> {
    await this.signal('SIGTERM', killAfterMs);
  }

  /** Sends `signal` (default SIGKILL: a crash, no shutdown hooks) and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.signal(signal, 0);
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The most memory the running process has held so far (peak resident set, MiB; null when not running or not Linux). */
  peakMemoryMiB(): number | null {
    return this.running ? peakResidentMiBOf(this.child?.pid) : null;
  }

  /** The exit code, once it exited on its own or was stopped (`null` while running or when killed by a signal). */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** The process id while running (for CPU accounting from `/proc`). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines of its output. */
  logs(lines = 60): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no output)';
    }
  }

  private async signal(signal: NodeJS.Signals, killAfterMs: number): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.exitExpected = true;
    child.kill(signal);
    const timer = killAfterMs > 0 ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    await exited;
    if (timer) clearTimeout(timer);
    this.log?.end();
  }
}

/** User + system CPU seconds a process has used so far (Linux `/proc`); null where unknown or gone. */
/** A process's peak resident set size in MiB (`VmHWM` of /proc/<pid>/status), or null where /proc is not there. */
function peakResidentMiBOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
