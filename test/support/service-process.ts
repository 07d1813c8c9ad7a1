import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A service started as its own process through its real `main.ts`, the way `npm start` runs it. */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exitExpected = false;
  readonly output: string[] = [];
  readonly url: string;
  /** Exits nobody asked for (not `stop()` or `kill()`): a crash. */
  readonly unexpectedExits: Array<{ readonly code: number | null; readonly signal: string | null; readonly at: Date }> =
    [];

  constructor(
    readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /**
   * Spawns the service and resolves once `GET /health/ready` answers 2xx; fails at once if the process exits.
   *
   * The deadline detects a hang; it is not a speed requirement. A start costs about 5 s of CPU per service (module
   * loading under tsx), so on a shared 2-core machine its wall time is whatever the other work leaves: three
   * concurrent starts measured ~20 s beside other engineers' test runs and 46 s with two more busy processes, and a
   * 60 s deadline failed the e2e suite under that load although nothing was wrong. The default sits just inside the
   * hook and test timeout (120 s, libs/testing/src/jest-setup.ts), so a real hang still fails with the service's
   * logs, and the message says how much CPU the process got meanwhile (starved or stuck).
   */
  async start(timeoutMs = 100_000): Promise<void> {
    // SERVICE_CPU_PROFILE_DIR=/tmp/profiles writes a V8 CPU profile of each service process when it stops.
    const profile = process.env.SERVICE_CPU_PROFILE_DIR
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${process.env.SERVICE_CPU_PROFILE_DIR}`,
          `--cpu-prof-name=${this.service}.cpuprofile`,
        ]
      : [];
    const main = join(REPO, 'services', this.service, 'src', 'main.ts');
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', main], {
      cwd: REPO,
      env: { ...process.env, ...this.env, PORT: String(this.port), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitExpected = false;
    child.once('exit', (code, signal) => {
      if (!this.exitExpected) this.unexpectedExits.push({ code, signal, at: new Date() });
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 500) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
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
    throw new Error(
      `${this.service} was not ready within ${timeoutMs} ms` +
        `${cpu === null ? '' : ` (it used ${cpu.toFixed(1)} s of CPU in ${((Date.now() - started) / 1000).toFixed(0)} s)`}:\n` +
        this.logs(),
    );
  }

  /** SIGTERM and wait: the service drains its relay and consumers like in Kubernetes. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.exitExpected = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** Sends `signal` (default SIGKILL: a crash, no shutdown hooks) and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.exitExpected = true;
    child.kill(signal);
    await exited;
  }

  /** Whether the process is running now. */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process id while running (for CPU accounting from `/proc`). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-60).join('\n');
  }
}

/** User + system CPU seconds a process has used so far (Linux `/proc`); null where unknown. */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Polls `fn` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * Waits until each consumer group has joined with its partitions. With `KAFKA_CONSUMER_FROM_BEGINNING=false`
 * a fresh group starts at the end of the shared topics, so a test posts only once its consumers listen.
 */
export async function waitForConsumerGroups(brokers: string[], groupIds: string[], timeoutMs = 60_000): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const { groups } = await admin.describeGroups(groupIds);
        return groups.every((g) => g.state === 'Stable' && g.members.length > 0) ? true : undefined;
      },
      timeoutMs,
      `consumer groups ${groupIds.join(', ')} to be stable`,
    );
  } finally {
    await admin.disconnect();
  }
}
