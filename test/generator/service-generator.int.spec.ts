import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs a command in `cwd`; fails the test with its output when it fails. */
function run(cwd: string, command: string, args: string[], timeoutMs = 300_000): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${output}`);
  return output;
}

// CONTEXT: the generator is proven the way a developer uses it: on a copy of this repository (what git knows of it,
// with this checkout's node_modules), `npx nx g` makes a service, and that service passes lint, the type check and its
// own tests (unit, its integration test, the inherited HTTP and poison suites) on the real Kafka and Postgres.
describe('service generator (npx nx g @aftersales/service-generator:service)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aftersales-generator-'));
  const service = 'returns';

  beforeAll(() => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
      .toString('utf8')
      .split('\0')
      .filter((f) => f && !f.startsWith('node_modules/') && existsSync(join(ROOT, f)));
    execFileSync('tar', ['-cf', join(scratch, '.copy.tar'), '--null', '-T', '-'], {
      cwd: ROOT,
      input: files.join('\0'),
    });
    execFileSync('tar', ['-xf', '.copy.tar'], { cwd: scratch });
    rmSync(join(scratch, '.copy.tar'));
    symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));
    // A copy made where the service already exists proves nothing: start without it.
    rmSync(join(scratch, 'services', service), { recursive: true, force: true });
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('makes a service that registers itself and passes lint, the type check and its tests', () => {
    const generated = run(scratch, 'npx', [
      'nx',
      'g',
      '@aftersales/service-generator:service',
      service,
      '--aggregate=ReturnRequest',
    ]);
    expect(generated).toContain(`services/${service} is ready`);
    for (const file of [
      'src/main.ts',
      'src/returns.module.ts',
      'src/domain/return-request.decider.ts',
      'test/http-kit.int.spec.ts',
    ]) {
      expect(existsSync(join(scratch, 'services', service, file))).toBe(true);
    }
    expect(readFileSync(join(scratch, 'docker-compose.yml'), 'utf8')).toMatch(/^ {2}returns:$/m);
    expect(readFileSync(join(scratch, 'deploy/local/platform.ts'), 'utf8')).toMatch(/returns: 3004/);

    run(scratch, 'npx', ['eslint', `services/${service}`, '--max-warnings=0']);
    run(scratch, 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    const tests = run(scratch, 'npx', [
      'jest',
      '--ci',
      '--selectProjects',
      'unit',
      'integration',
      '--testPathPatterns',
      `services/${service}/`,
    ]);
    expect(tests).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(tests).not.toMatch(/failed/);
  });

  it('refuses a service that exists, and names that are not kebab-case or PascalCase', () => {
    const attempt = (...args: string[]) =>
      spawnSync('npx', ['nx', 'g', '@aftersales/service-generator:service', ...args], {
        cwd: scratch,
        encoding: 'utf8',
      });
    expect(attempt('intake', '--aggregate=Thing').status).not.toBe(0);
    expect(`${attempt('Bad_Name', '--aggregate=Thing').stderr}`).toMatch(/kebab-case|pattern/i);
    expect(`${attempt('claims', '--aggregate=thing').stderr}`).toMatch(/PascalCase|pattern/i);
  });
});
