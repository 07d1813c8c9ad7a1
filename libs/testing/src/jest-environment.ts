import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

/** Most of a failing test's service output printed; the whole of it stays in the file. */
const PRINTED_BYTES = 64 * 1024;

/**
 * The Jest environment of the integration project: services started by a test file (in this process, or as child
 * processes through `ServiceProcess`) log to one file per test file (`LOG_FILE`), not to the console, and the output
 * a test produced is printed only when that test (or a hook of its file) fails. A green run's output stays readable;
 * a red one shows what the services said while it failed.
 */
export default class IntegrationTestEnvironment extends TestEnvironment {
  private readonly logFile: string;
  private testStartedAt = 0;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const dir = join(process.env.TEST_LOG_DIR ?? join(tmpdir(), 'aftersales-test-logs'), String(process.pid));
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, `${basename(context.testPath)}.log`);
    this.global.process.env.LOG_FILE = this.logFile;
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name === 'test_start' || event.name === 'run_start') this.testStartedAt = this.logSize();
    if (event.name === 'test_done' && event.test.errors.length > 0) this.printLogs(`test "${event.test.name}" failed`);
    if (event.name === 'hook_failure') this.printLogs(`${event.hook.type} hook failed`);
  }

  private logSize(): number {
    try {
      return statSync(this.logFile).size;
    } catch {
      return 0;
    }
  }

  private printLogs(why: string): void {
    const end = this.logSize();
    const start = Math.max(this.testStartedAt, end - PRINTED_BYTES);
    if (end <= start) return;
    const buffer = Buffer.alloc(end - start);
    const fd = openSync(this.logFile, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    const skipped = start > this.testStartedAt ? ` (last ${PRINTED_BYTES / 1024} KiB; all of it in the file)` : '';
    process.stderr.write(
      `\n----- service output while ${why}${skipped} — ${this.logFile}\n${buffer.toString('utf8')}\n----- end of service output\n`,
    );
  }
}
