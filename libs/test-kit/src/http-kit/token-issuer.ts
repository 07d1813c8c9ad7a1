import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

/** Claims and header choices of a test token; every default makes a valid token. */
export interface TokenOptions {
  readonly subject?: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds since the epoch; default an hour from now; `null` for a token that never expires. */
  readonly expiresAt?: number | null;
  /** Seconds since the epoch; absent by default. */
  readonly notBefore?: number;
  readonly kid?: string;
}

const ALG = 'ES256';

/**
 * An identity provider for tests: an ES256 key pair published as a JWKS on a local HTTP server (so services run with
 * `AUTH_JWKS_URL`, `AUTH_ISSUER` and `AUTH_AUDIENCE` as in production), and a signer of tokens, valid or not.
 *
 * @example
 * ```ts
 * const idp = await TokenIssuer.start();
 * const token = await idp.sign({ tenant: 'shop-1', roles: ['agent'] });
 * // service config: auth: idp.authConfig
 * ```
 */
export class TokenIssuer {
  readonly issuer = 'https://idp.aftersales.test/';
  readonly audience = 'aftersales-api';
  readonly kid = 'kit-key-1';
  private readonly cache = new Map<string, Promise<string>>();

  private constructor(
    private readonly server: Server,
    readonly jwksUrl: string,
    private readonly privateKey: KeyLike,
    /** Another key pair, published nowhere: signs tokens whose `kid` no JWKS knows. */
    private readonly strangerKey: KeyLike,
  ) {}

  static async start(): Promise<TokenIssuer> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const stranger = await generateKeyPair(ALG);
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'kit-key-1', alg: ALG, use: 'sig' };
    const body = JSON.stringify({ keys: [jwk] });
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return new TokenIssuer(server, url, privateKey, stranger.privateKey);
  }

  /** What a service under test is configured with. */
  get authConfig() {
    return { jwksUrl: this.jwksUrl, issuer: this.issuer, audience: this.audience };
  }

  /** A valid token (signed once per tenant and roles, then reused: services keep verified tokens briefly). */
  token(tenant: string, roles: readonly string[]): Promise<string> {
    const key = `${tenant}\u0000${roles.join(',')}`;
    let token = this.cache.get(key);
    if (!token) {
      token = this.sign({ tenant, roles, subject: `kit-${roles.join('+') || 'none'}` });
      this.cache.set(key, token);
    }
    return token;
  }

  /** A token with exactly these claims; `stranger: true` signs with a key the JWKS does not publish. */
  async sign(options: TokenOptions & { readonly stranger?: boolean }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    let jwt = new SignJWT({ tenant: options.tenant, roles: [...options.roles] })
      .setProtectedHeader({ alg: ALG, kid: options.kid ?? this.kid, typ: 'JWT' })
      .setSubject(options.subject ?? 'kit-user')
      .setIssuedAt(now)
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience);
    if (options.expiresAt !== null) jwt = jwt.setExpirationTime(options.expiresAt ?? now + 3600);
    if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
    return jwt.sign(options.stranger ? this.strangerKey : this.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
