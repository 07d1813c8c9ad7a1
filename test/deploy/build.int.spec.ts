import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, kafkaBrokers, REPO_ROOT, uniqueName, type TestDatabase } from '@aftersales/testing';
import { freePort, ServiceProcess } from '@aftersales/test-kit';

const run = promisify(execFile);
const DIST = join(REPO_ROOT, 'dist');
const DOCKERFILE = join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile');
const services = readdirSync(join(REPO_ROOT, 'services')).filter((s) =>
  existsSync(join(REPO_ROOT, 'services', s, 'src', 'main.ts')),
);

interface Stage {
  readonly name: string | undefined;
  readonly instructions: ReadonlyArray<{ readonly keyword: string; readonly args: string }>;
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function dockerStages(): Stage[] {
  const lines = readFileSync(DOCKERFILE, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Array<{ name: string | undefined; instructions: Array<{ keyword: string; args: string }> }> = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1], instructions: [] });
    stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

/** Zipkin's span intake (`POST /api/v2/spans`, JSON v2) for the test: keeps what it receives. */
async function zipkinReceiver(): Promise<{ url: string; spans: Array<Record<string, unknown>>; server: Server }> {
  const spans: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/spans') spans.push(...(JSON.parse(body) as typeof spans));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/v2/spans`, spans, server };
}

// CONTEXT: `npm run build` on this checkout, its output copied to a scratch directory outside the repository (so no
// module can come from the repository's node_modules) with `npm ci --omit=dev` there, as the image's production stage
// does; a compiled service then runs with plain `node` on real Kafka and Postgres.
describe('npm run build: the compiled services and the image', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aftersales-build-'));
  let db: TestDatabase;

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    cpSync(DIST, scratch, { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: scratch,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    db = await createTestDatabase('build_surveys');
  }, 1_200_000);

  afterAll(async () => {
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('compiles every service, the migration command and the libraries they use to JavaScript', () => {
    const missing = [
      ...services.map((s) => `services/${s}/src/main.js`),
      ...services.map((s) => `services/${s}/src/${s}.module.js`),
      'deploy/migrate.js',
      'libs/service-runtime/src/index.js',
      'contracts/src/index.js',
    ].filter((file) => !existsSync(join(DIST, file)));
    expect(missing).toEqual([]);
    // No tests, no test kits in the output.
    const compiled = readdirSync(DIST, { recursive: true, encoding: 'utf8' });
    expect(compiled.filter((f) => f.endsWith('.spec.js'))).toEqual([]);
    expect(existsSync(join(DIST, 'libs', 'test-kit', 'src'))).toBe(false);
  });

  it('installs production dependencies only', () => {
    for (const devOnly of ['typescript', 'tsx', 'jest', 'eslint', 'ts-jest']) {
      expect(existsSync(join(scratch, 'node_modules', devOnly))).toBe(false);
    }
    expect(existsSync(join(scratch, 'node_modules', '@nestjs', 'core'))).toBe(true);
  });

  it('runs a compiled service with node: ready on real Postgres and Kafka, traces to Zipkin, a graceful exit 0 on SIGTERM', async () => {
    const zipkin = await zipkinReceiver();
    await run(process.execPath, [join(scratch, 'deploy', 'migrate.js'), 'surveys'], {
      cwd: scratch,
      env: { ...process.env, DATABASE_URL: db.url, DATABASE_NAME: db.name },
    });
    const surveys = new ServiceProcess(
      'surveys',
      await freePort(),
      {
        AUTH_JWT_SECRET: 'build-secret',
        PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
        DATABASE_URL: db.url,
        DATABASE_NAME: db.name,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_PARTITIONS: '3',
        KAFKA_CONSUMER_GROUP_PREFIX: `${uniqueName('build')}.`,
        KAFKA_CONSUMER_FROM_BEGINNING: 'false',
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.url,
        NODE_ENV: 'production',
      },
      { entry: { main: join(scratch, 'services', 'surveys', 'src', 'main.js'), cwd: scratch } },
    );
    try {
      await surveys.start();
      const ready = await fetch(`${surveys.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { postgres: 'up', kafka: 'up' } });
      expect((await fetch(`${surveys.url}/docs/openapi.json`)).status).toBe(200);
    } finally {
      await surveys.stop();
      zipkin.server.close();
    }
    expect(surveys.exitCode).toBe(0);
    // The request's server span reached Zipkin (at the latest when the shutdown flushed the spans).
    expect(zipkin.spans).toContainEqual(
      expect.objectContaining({ kind: 'SERVER', localEndpoint: expect.objectContaining({ serviceName: 'surveys' }) }),
    );
  });

  describe('deploy/docker/Dockerfile', () => {
    const stages = dockerStages();
    const final = stages.at(-1) as Stage;
    const named = (name: string) => stages.find((s) => s.name === name);

    it('copies into the build stage only what the repository has', () => {
      const build = named('build');
      expect(build).toBeDefined();
      const sources = (build?.instructions ?? [])
        .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
      expect(sources.length).toBeGreaterThan(0);
      expect(sources.filter((source) => !existsSync(join(REPO_ROOT, source)))).toEqual([]);
      expect(build?.instructions.some((i) => i.keyword === 'RUN' && /npm run build\b/.test(i.args))).toBe(true);
    });

    it('installs production dependencies only into the compiled tree it ships', () => {
      const production = named('production');
      expect(production?.instructions).toEqual(
        expect.arrayContaining([
          { keyword: 'COPY', args: '--from=build /src/dist ./' },
          expect.objectContaining({ keyword: 'RUN', args: expect.stringMatching(/^npm ci --omit=dev\b/) }),
        ]),
      );
      expect(final.instructions).toContainEqual({ keyword: 'COPY', args: '--from=production /app ./' });
    });

    it('runs node on the compiled main.js of each service as a non-root user', () => {
      const users = final.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
      expect(users.length).toBeGreaterThan(0);
      expect(['root', '0']).not.toContain(users.at(-1));
      const cmd = final.instructions.find((i) => i.keyword === 'CMD')?.args ?? '';
      expect(cmd).toContain('exec node services/$SERVICE/src/main.js');
      expect(cmd).not.toContain('tsx');
      for (const service of services) {
        expect(existsSync(join(DIST, 'services', service, 'src', 'main.js'))).toBe(true);
      }
    });
  });
});
