import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Injectable,
  Module,
  ServiceUnavailableException,
  type CallHandler,
  type DynamicModule,
  type ExecutionContext,
  type NestInterceptor,
  type Type as NestType,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { Type } from '@sinclair/typebox';
import { metricsRegistry, platformMetrics, type Logger } from '@aftersales/observability';
import { AuthGuard, Public, TokenVerifier, type AuthConfig } from './auth';
import { ProblemDetails, ProblemDetailsFilter } from './problem-details';
import { Responds } from './route-table';

const Liveness = Type.Object({ status: Type.Literal('up') }, { title: 'Liveness' });
const Readiness = Type.Object(
  {
    status: Type.Literal('up'),
    checks: Type.Record(Type.String(), Type.String(), { description: 'Each dependency checked: `up`' }),
  },
  { title: 'Readiness' },
);

/** A dependency the readiness probe checks (Postgres, Kafka). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Controller('health')
class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[]) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('live')
  @Responds(200, Liveness, { description: 'The process answers' })
  live(): typeof Liveness.static {
    return { status: 'up' };
  }

  /** Readiness: every dependency answers; 503 names the ones that do not. */
  @Public()
  @Get('ready')
  @HttpCode(200)
  @Responds(200, Readiness, { description: 'Every dependency answers' })
  @Responds(503, ProblemDetails, { description: 'Not ready: the detail names the dependencies that do not answer' })
  async ready(): Promise<typeof Readiness.static> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await Promise.race([
            c.check(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000)),
          ]);
          return [c.name, 'up'] as const;
        } catch (error) {
          return [c.name, `down: ${(error as Error).message}`] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.some(([, s]) => s !== 'up'))
      throw new ServiceUnavailableException(`Not ready: ${JSON.stringify(checks)}`);
    return { status: 'up' as const, checks };
  }
}

@Controller('metrics')
class MetricsController {
  @Public()
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Responds(200, Type.String(), { description: 'Prometheus text exposition', contentType: 'text/plain' })
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

@Injectable()
class HttpMetricsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const started = process.hrtime.bigint();
    const req = context.switchToHttp().getRequest<{ method: string; route?: { path?: string } }>();
    const res = context.switchToHttp().getResponse<{ statusCode: number }>();
    const observe = (status: number) =>
      platformMetrics.httpRequestDuration.observe(
        { method: req.method, route: req.route?.path ?? 'unmatched', status: String(status) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    return next.handle().pipe(
      tap({
        next: () => observe(res.statusCode),
        error: (e: { getStatus?: () => number }) => observe(e.getStatus?.() ?? 500),
      }),
    );
  }
}

/** The controllers every service gets from {@link PlatformHttpModule}: health and metrics. */
export const PLATFORM_CONTROLLERS: readonly NestType<unknown>[] = [HealthController, MetricsController];

/**
 * Everything an HTTP service of the platform shares: bearer auth with roles and tenants (global
 * guard), RFC 9457 problem details (global filter), `/health/live`, `/health/ready`, `/metrics`.
 */
@Module({})
export class PlatformHttpModule {
  static forRoot(options: { auth: AuthConfig; readiness: readonly ReadinessCheck[]; logger?: Logger }): DynamicModule {
    return {
      module: PlatformHttpModule,
      controllers: [...PLATFORM_CONTROLLERS],
      providers: [
        { provide: TokenVerifier, useValue: new TokenVerifier(options.auth) },
        { provide: READINESS_CHECKS, useValue: options.readiness },
        {
          provide: APP_GUARD,
          useFactory: (v: TokenVerifier, r: Reflector) => new AuthGuard(v, r),
          inject: [TokenVerifier, Reflector],
        },
        { provide: APP_FILTER, useValue: new ProblemDetailsFilter(options.logger) },
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
      ],
      exports: [TokenVerifier],
    };
  }
}
