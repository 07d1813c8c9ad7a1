import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** The authenticated caller: every command records it as actor and tenant. */
export interface Principal {
  readonly subject: string;
  readonly tenant: string;
  readonly roles: readonly string[];
}

/** Roles of the platform (architecture.md); a route lists the ones it admits. */
export const Role = {
  Agent: 'agent',
  Supervisor: 'supervisor',
  CsManager: 'cs-manager',
  CsDirector: 'cs-director',
  IncidentCommander: 'incident-commander',
  /** Leads the level-1 emergency team (domain.md §5). */
  GeneralManager: 'general-manager',
  /** Analyses product faults and supports containment (domain.md §5). */
  TechSupport: 'tech-support',
  Quality: 'quality',
  Logistics: 'logistics',
  Pr: 'pr',
  Legal: 'legal',
  Integrator: 'integrator',
  /** Issues invoices and expedites urgent ones (seed 003 §11). */
  Finance: 'finance',
  Admin: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface AuthConfig {
  /** Shared HS256 secret, for local runs and tests. */
  readonly secret?: string;
  /** JWKS endpoint of the identity provider, in production. */
  readonly jwksUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Claim holding the tenant id. */
  readonly tenantClaim?: string;
  /** Claim holding the roles array. */
  readonly rolesClaim?: string;
}

export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const config: AuthConfig = {
    secret: env.AUTH_JWT_SECRET,
    jwksUrl: env.AUTH_JWKS_URL,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    tenantClaim: env.AUTH_TENANT_CLAIM ?? 'tenant',
    rolesClaim: env.AUTH_ROLES_CLAIM ?? 'roles',
  };
  if (!config.secret && !config.jwksUrl) {
    throw new Error('Set AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE) in production, or AUTH_JWT_SECRET locally');
  }
  assertJwksBound(config);
  return config;
}

/**
 * A JWKS configuration must name the issuer and the audience: without them any token the provider signs — for any
 * other application of the same provider, or by another tenant of a shared provider — would be accepted here.
 */
function assertJwksBound(config: AuthConfig): void {
  if (!config.jwksUrl) return;
  const missing = [
    ...(config.issuer?.trim() ? [] : ['AUTH_ISSUER (e.g. AUTH_ISSUER=https://id.example.com/)']),
    ...(config.audience?.trim() ? [] : ['AUTH_AUDIENCE (e.g. AUTH_AUDIENCE=aftersales)']),
  ];
  if (missing.length > 0) {
    throw new Error(
      `AUTH_JWKS_URL=${config.jwksUrl} needs ${missing.join(' and ')}: without them a token the identity provider ` +
        'signed for any other application would be accepted',
    );
  }
}

const VERIFIED_TOKENS_KEPT = 10_000;
const VERIFIED_TOKEN_TTL_MS = 60_000;

/** Verifies bearer tokens: HS256 with a shared secret, or the provider's keys from a JWKS URL. */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  /**
   * Tokens verified recently (by SHA-256, never the token itself), each until the earlier of its expiry and a
   * minute: a client sends the same token with every request, and verifying its signature each time was about 6 %
   * of intake's CPU under load. Only successful verifications are kept; a key rotation takes effect within a minute.
   */
  private readonly verified = new Map<string, { readonly principal: Principal; readonly until: number }>();
  /** Signature verifications actually performed (for tests and diagnostics). */
  verifications = 0;

  constructor(private readonly config: AuthConfig) {
    assertJwksBound(config);
    if (config.jwksUrl) this.key = createRemoteJWKSet(new URL(config.jwksUrl));
    else if (config.secret) this.key = new TextEncoder().encode(config.secret);
    else throw new Error('TokenVerifier needs a JWKS URL or a shared secret');
  }

  async verify(token: string): Promise<Principal> {
    const digest = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const known = this.verified.get(digest);
    if (known && known.until > now) return known.principal;
    if (known) this.verified.delete(digest);
    // A token must expire: one without `exp` would be good forever once issued (RFC 8725 §3.10 spirit; every identity
    // provider sets it, and so does `signDevToken`).
    const options = { issuer: this.config.issuer, audience: this.config.audience, requiredClaims: ['exp'] };
    this.verifications += 1;
    const { payload } =
      this.key instanceof Uint8Array
        ? await jwtVerify(token, this.key, options)
        : await jwtVerify(token, this.key, options);
    const principal = this.principalOf(payload);
    const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
      // The oldest entry first (Map keeps insertion order): a bounded cache whatever the number of clients.
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(digest, { principal, until: Math.min(expires, now + VERIFIED_TOKEN_TTL_MS) });
    return principal;
  }

  private principalOf(payload: JWTPayload): Principal {
    const tenant = payload[this.config.tenantClaim ?? 'tenant'];
    const roles = payload[this.config.rolesClaim ?? 'roles'];
    if (typeof payload.sub !== 'string' || typeof tenant !== 'string' || tenant.length === 0) {
      throw new Error('token lacks a subject or a tenant claim');
    }
    return {
      subject: payload.sub,
      tenant,
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
    };
  }
}

/**
 * Signs an HS256 token for local runs and tests (never used with a JWKS configuration).
 *
 * @example
 * ```ts
 * const token = await signDevToken({ subject: 'agent-7', tenant: 'shop-1', roles: ['agent'] }, secret);
 * ```
 */
export async function signDevToken(principal: Principal, secret: string, options: AuthConfig = {}): Promise<string> {
  let jwt = new SignJWT({ tenant: principal.tenant, roles: [...principal.roles] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setIssuedAt()
    .setExpirationTime('12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** Metadata keys of {@link Public} and {@link Roles} (the route table reads them too). */
export const PUBLIC_KEY = 'aftersales:public';
export const ROLES_KEY = 'aftersales:roles';

/** Marks a route as reachable without a token (health, metrics). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** Admits callers holding any of these roles (admin always passes). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** Global guard: 401 without a valid bearer token, 403 without a required role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new UnauthorizedException('A bearer token is required (Authorization: Bearer <jwt>)');
    try {
      request.principal = await this.verifier.verify(token);
    } catch (error) {
      throw new UnauthorizedException(`The bearer token was rejected: ${(error as Error).message}`);
    }
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const roles = request.principal.roles;
    if (required?.length && !roles.includes(Role.Admin) && !required.some((r) => roles.includes(r))) {
      throw new ForbiddenException(`This operation needs one of the roles: ${required.join(', ')}`);
    }
    return true;
  }
}

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('No authenticated principal on this request');
  return principal;
});
