/**
 * The fault runner's own Postgres and Kafka: a disposable Postgres cluster (initdb in a temporary directory, its own
 * port) and a broker started by deploy/local/kafka.sh on its own ports and data dir. Neither touches a developer's
 * stack or CI's: the runner may restart or kill them at will.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..');

/** Where initdb and pg_ctl are: CHAOS_PG_BIN, `pg_config --bindir`, or the newest /usr/lib/postgresql/<v>/bin. */
function postgresBin(): string {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('initdb/pg_ctl not found: install PostgreSQL server binaries or set CHAOS_PG_BIN');
  }
}

/** A Postgres cluster of the runner's own. As root, the server runs as the `postgres` user (it refuses root). */
export class OwnPostgres {
  private readonly bin = postgresBin();
  private readonly dataDir: string;
  private readonly asRoot = process.getuid?.() === 0;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = join(dir, 'pgdata');
  }

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async pg(tool: string, args: string[]): Promise<string> {
    const command = join(this.bin, tool);
    const { stdout } = this.asRoot
      ? await run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: '/tmp' })
      : await run(command, args);
    return stdout;
  }

  async init(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (this.asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(this.dir, uid, gid);
    }
    await this.pg('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '--no-instructions', '-E', 'UTF8']);
  }

  private options(): string {
    // Durable like production (fsync and synchronous commit stay on): an immediate restart must lose nothing.
    return [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c max_connections=120',
      '-c shared_buffers=64MB',
    ].join(' ');
  }

  async start(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      this.options(),
      '-l',
      join(this.dir, 'postgres.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** `pg_ctl restart -m immediate`: every backend is killed, the server recovers from its WAL. */
  async restartImmediate(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      this.options(),
      '-l',
      join(this.dir, 'postgres.log'),
      '-m',
      'immediate',
      '-w',
      '-t',
      '60',
      'restart',
    ]);
  }

  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  }

  async query<R extends Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<R[]> {
    const client = new Client({
      connectionString: this.serverUrl.replace(/\/postgres$/, `/${database}`),
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** A Kafka broker of the runner's own, through deploy/local/kafka.sh (the script developers and CI use). */
export class OwnKafka {
  constructor(
    private readonly dataDir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_DATA_DIR: this.dataDir,
      KAFKA_HEAP_OPTS: process.env.CHAOS_KAFKA_HEAP_OPTS ?? '-Xms192m -Xmx384m',
    };
  }

  /** `kafka.sh start`; returns its output (it says when it waited out a recovery after a crash). */
  async start(): Promise<string> {
    const { stdout } = await run('bash', [join(REPO, 'deploy/local/kafka.sh'), 'start'], {
      env: this.env(),
      timeout: 400_000,
    });
    return stdout;
  }

  async stop(): Promise<void> {
    await run('bash', [join(REPO, 'deploy/local/kafka.sh'), 'stop'], { env: this.env(), timeout: 120_000 }).catch(
      () => undefined,
    );
  }

  /** The broker's pid from the script's pid file (undefined when there is none). */
  pid(): number | undefined {
    const file = join(this.dataDir, 'kafka.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /**
   * The broker's pid file is lost while it runs (a crash of the script, a cleaned temp dir): `kafka.sh start` must
   * find and adopt it rather than start a second broker on the same ports, and `kafka.sh stop` must stop it.
   * Returns what went wrong, empty when nothing did.
   */
  async checkAdoptAndStop(): Promise<string[]> {
    const problems: string[] = [];
    const pid = this.pid();
    if (!pid) return ['no pid file before the check'];
    unlinkSync(join(this.dataDir, 'kafka.pid'));
    const { stdout, stderr } = await run('bash', [join(REPO, 'deploy/local/kafka.sh'), 'start'], {
      env: this.env(),
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? 'start failed',
    }));
    if (!`${stdout}${stderr}`.includes('adopted'))
      problems.push(`start did not adopt the broker: ${stderr.trim().slice(-300)}`);
    if (this.pid() !== pid) problems.push(`pid file names ${this.pid()} after start, the broker is ${pid}`);
    unlinkSync(join(this.dataDir, 'kafka.pid'));
    await this.stop();
    if (alive(pid)) problems.push(`stop without a pid file left broker ${pid} running`);
    return problems;
  }

  /** SIGKILL of the broker's JVM (the pid from the script's pid file); waits until it is gone. */
  async kill9(): Promise<void> {
    const pid = this.pid();
    if (!pid) throw new Error('the broker has no pid file');
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
