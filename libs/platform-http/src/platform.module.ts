import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Req,
  Res,
  ServiceUnavailableException,
  type DynamicModule,
  type Type as NestType,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { Type } from '@sinclair/typebox';
import {
  metricsRegistry,
  OPENMETRICS_CONTENT_TYPE,
  openMetricsText,
  platformMetrics,
  type Logger,
} from '@aftersales/observability';
import { AuthGuard, Public, TokenVerifier, type AuthConfig } from './auth';
import { ProblemDetails, ProblemDetailsFilter } from './problem-details';
import { Responds } from './route-table';

const Liveness = Type.Object({ status: Type.Literal('up') }, { title: 'Liveness' });
const Readiness = Type.Object(
  {
    status: Type.Union([Type.Literal('up'), Type.Literal('degraded')], {
      description: '`up`: every dependency answers; `degraded`: ready, but an optional dependency (Kafka) does not',
    }),
    checks: Type.Record(Type.String(), Type.String(), {
      description: 'Each dependency checked: `up`, or `down: <why>`',
    }),
  },
  { title: 'Readiness' },
);

/** A dependency the readiness probe checks (Postgres, Kafka). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
  /**
   * Whether the service cannot take work without it (default true): a required dependency that does not answer makes
   * the service not ready (503). An optional one is reported (`checks`, `status: degraded`, the
   * `aftersales_dependency_up` metric) but keeps it ready: Kafka, whose outage the outbox absorbs.
   */
  readonly required?: boolean;
}

/** Whether the service still takes work: false once it began shutting down (readiness then answers 503). */
export interface ServiceLifecycle {
  readonly accepting: boolean;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export const SERVICE_LIFECYCLE = Symbol('SERVICE_LIFECYCLE');

/** How long one dependency check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 2_000;

/** Runs the readiness checks (each bounded by a timeout) and records each dependency's state as a metric. */
@Injectable()
export class DependencyProbe {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[]) {}

  async probe(): Promise<Array<{ name: string; required: boolean; state: string }>> {
    return Promise.all(
      this.checks.map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        let state: string;
        try {
          await Promise.race([
            c.check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
            }),
          ]);
          state = 'up';
        } catch (error) {
          state = `down: ${(error as Error).message}`;
        } finally {
          clearTimeout(timer);
        }
        platformMetrics.dependencyUp.set({ dependency: c.name }, state === 'up' ? 1 : 0);
        return { name: c.name, required: c.required ?? true, state };
      }),
    );
  }
}

@Controller('health')
class HealthController {
  constructor(
    @Inject(DependencyProbe) private readonly dependencies: DependencyProbe,
    @Inject(SERVICE_LIFECYCLE) private readonly lifecycle: ServiceLifecycle,
  ) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('live')
  @Responds(200, Liveness, { description: 'The process answers' })
  live(): typeof Liveness.static {
    return { status: 'up' };
  }

  /**
   * Readiness: the service takes work. Every required dependency (Postgres) answers and it is not shutting down; an
   * optional one (Kafka) that does not answer is reported, not fatal: commands are stored in the outbox and published
   * when the broker is back. 503 names what is missing.
   */
  @Public()
  @Get('ready')
  @HttpCode(200)
  @Responds(200, Readiness, { description: 'Takes work; `checks` gives each dependency, optional ones may be down' })
  @Responds(503, ProblemDetails, {
    description: 'Not ready: shutting down, or the detail names the required dependencies that do not answer',
  })
  async ready(): Promise<typeof Readiness.static> {
    if (!this.lifecycle.accepting) throw new ServiceUnavailableException('Not ready: shutting down');
    const results = await this.dependencies.probe();
    const checks = Object.fromEntries(results.map((r) => [r.name, r.state]));
    if (results.some((r) => r.required && r.state !== 'up')) {
      throw new ServiceUnavailableException(`Not ready: ${JSON.stringify(checks)}`);
    }
    return { status: results.every((r) => r.state === 'up') ? 'up' : 'degraded', checks };
  }
}

/** What the metrics route reads of the request and writes on the response (Express). */
interface ScrapeRequest {
  accepts(types: string[]): string | false;
}
interface ScrapeResponse {
  setHeader(name: string, value: string): unknown;
}

@Controller('metrics')
class MetricsController {
  constructor(@Inject(DependencyProbe) private readonly dependencies: DependencyProbe) {}

  /**
   * The dependencies are probed at each scrape, so `aftersales_dependency_up` is current without a probe's help. A
   * scraper that prefers OpenMetrics (`Accept: application/openmetrics-text`, as Prometheus sends) gets it, with the
   * trace exemplars of the latency histograms; any other gets the Prometheus text format.
   */
  @Public()
  @Get()
  @Responds(200, Type.String(), {
    description:
      'Prometheus text exposition; OpenMetrics 1.0.0 with trace exemplars when the Accept header prefers application/openmetrics-text',
    contentType: 'text/plain',
  })
  async metrics(@Req() req: ScrapeRequest, @Res({ passthrough: true }) res: ScrapeResponse): Promise<string> {
    await this.dependencies.probe();
    res.setHeader('Vary', 'Accept');
    // Offered with their versions: an Accept entry with parameters (`;version=1.0.0`) matches only an offer with them.
    // Without a preference (no header, `*/*`) the first offer: the text format.
    if (req.accepts([metricsRegistry.contentType, OPENMETRICS_CONTENT_TYPE]) === OPENMETRICS_CONTENT_TYPE) {
      res.setHeader('Content-Type', OPENMETRICS_CONTENT_TYPE);
      return openMetricsText(metricsRegistry);
    }
    res.setHeader('Content-Type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  }
}

/** The controllers every service gets from {@link PlatformHttpModule}: health and metrics. */
export const PLATFORM_CONTROLLERS: readonly NestType<unknown>[] = [HealthController, MetricsController];

/**
 * Everything an HTTP service of the platform shares: bearer auth with roles and tenants (global
 * guard), RFC 9457 problem details (global filter), `/health/live`, `/health/ready`, `/metrics`. Each request's
 * latency histogram and access-log line are `observeHttpRequests`' (Express middleware: the service runtime
 * installs it before the routes).
 */
@Module({})
export class PlatformHttpModule {
  static forRoot(options: {
    auth: AuthConfig;
    readiness: readonly ReadinessCheck[];
    /** Readiness answers 503 once this stops accepting (shutting down); always accepting when absent. */
    lifecycle?: ServiceLifecycle;
    logger?: Logger;
  }): DynamicModule {
    return {
      module: PlatformHttpModule,
      controllers: [...PLATFORM_CONTROLLERS],
      providers: [
        { provide: TokenVerifier, useValue: new TokenVerifier(options.auth) },
        { provide: READINESS_CHECKS, useValue: options.readiness },
        { provide: SERVICE_LIFECYCLE, useValue: options.lifecycle ?? { accepting: true } },
        DependencyProbe,
        {
          provide: APP_GUARD,
          useFactory: (v: TokenVerifier, r: Reflector) => new AuthGuard(v, r),
          inject: [TokenVerifier, Reflector],
        },
        { provide: APP_FILTER, useValue: new ProblemDetailsFilter(options.logger) },
      ],
      exports: [TokenVerifier],
    };
  }
}
