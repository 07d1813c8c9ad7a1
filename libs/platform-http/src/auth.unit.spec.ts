import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { authConfigFromEnv, signDevToken, TokenVerifier } from './auth';

describe('TokenVerifier', () => {
  const secret = 'unit-test-secret-unit-test-secret';

  it('accepts a shared-secret token and reads subject, tenant and roles', async () => {
    const token = await signDevToken({ subject: 'agent-7', tenant: 'shop-1', roles: ['agent'] }, secret);
    await expect(new TokenVerifier({ secret }).verify(token)).resolves.toEqual({
      subject: 'agent-7',
      tenant: 'shop-1',
      roles: ['agent'],
    });
  });

  it('rejects a token signed with another secret, and one without a tenant', async () => {
    const forged = await signDevToken(
      { subject: 'x', tenant: 'shop-1', roles: ['admin'] },
      'another-secret-another-secret!!',
    );
    await expect(new TokenVerifier({ secret }).verify(forged)).rejects.toThrow();
    const noTenant = await new SignJWT({ roles: ['agent'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('agent-7')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    await expect(new TokenVerifier({ secret }).verify(noTenant)).rejects.toThrow('tenant');
  });

  it('rejects a token that never expires (no exp claim)', async () => {
    const forever = await new SignJWT({ tenant: 'shop-1', roles: ['agent'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('agent-7')
      .sign(new TextEncoder().encode(secret));
    await expect(new TokenVerifier({ secret }).verify(forever)).rejects.toThrow('exp');
  });

  describe('verified tokens are kept briefly', () => {
    const signed = (claims: { exp?: number; sub?: string }) => {
      let jwt = new SignJWT({ tenant: 'shop-1', roles: ['agent'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub ?? 'agent-7');
      if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
      return jwt.sign(new TextEncoder().encode(secret));
    };

    it('verifies the signature of a token once, and each different token once', async () => {
      const verifier = new TokenVerifier({ secret });
      const token = await signDevToken({ subject: 'agent-7', tenant: 'shop-1', roles: ['agent'] }, secret);
      const first = await verifier.verify(token);
      await expect(verifier.verify(token)).resolves.toEqual(first);
      expect(verifier.verifications).toBe(1);
      await verifier.verify(await signed({ sub: 'agent-8', exp: Math.floor(Date.now() / 1000) + 300 }));
      expect(verifier.verifications).toBe(2);
    });

    it('never serves a token past its expiry, and never keeps a rejected one', async () => {
      const verifier = new TokenVerifier({ secret });
      const shortLived = await signed({ exp: Math.floor(Date.now() / 1000) + 2 });
      await verifier.verify(shortLived);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      await expect(verifier.verify(shortLived)).rejects.toThrow();
      expect(verifier.verifications).toBe(2);
      const forged = await signDevToken(
        { subject: 'x', tenant: 'shop-1', roles: ['admin'] },
        'another-secret-another-secret!!',
      );
      await expect(verifier.verify(forged)).rejects.toThrow();
      await expect(verifier.verify(forged)).rejects.toThrow();
      expect(verifier.verifications).toBe(4);
    });
  });

  describe('with the identity provider’s JWKS, issuer and audience (production)', () => {
    let server: Server;
    let jwksUrl: string;
    let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

    beforeAll(async () => {
      const pair = await generateKeyPair('RS256');
      privateKey = pair.privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
      server = createServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const sign = (claims: { iss: string; aud: string }) =>
      new SignJWT({ tenant: 'shop-1', roles: ['supervisor'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('sup-1')
        .setIssuer(claims.iss)
        .setAudience(claims.aud)
        .setExpirationTime('5m')
        .sign(privateKey);

    it('verifies against the JWKS and checks issuer and audience', async () => {
      const verifier = new TokenVerifier({ jwksUrl, issuer: 'https://idp.example', audience: 'aftersales' });
      await expect(
        verifier.verify(await sign({ iss: 'https://idp.example', aud: 'aftersales' })),
      ).resolves.toMatchObject({
        subject: 'sup-1',
        tenant: 'shop-1',
      });
      await expect(verifier.verify(await sign({ iss: 'https://evil.example', aud: 'aftersales' }))).rejects.toThrow();
      await expect(verifier.verify(await sign({ iss: 'https://idp.example', aud: 'other-app' }))).rejects.toThrow();
    });
  });
});

describe('authConfigFromEnv', () => {
  const jwks = 'https://id.example.com/.well-known/jwks.json';

  it('refuses a JWKS without issuer and audience at start, saying what to set', () => {
    expect(() => authConfigFromEnv({ AUTH_JWKS_URL: jwks })).toThrow(
      /AUTH_JWKS_URL=.* needs AUTH_ISSUER \(e\.g\. AUTH_ISSUER=https:\/\/id\.example\.com\/\) and AUTH_AUDIENCE \(e\.g\. AUTH_AUDIENCE=aftersales\)/,
    );
    expect(() => authConfigFromEnv({ AUTH_JWKS_URL: jwks, AUTH_ISSUER: 'https://id.example.com/' })).toThrow(
      /needs AUTH_AUDIENCE/,
    );
    expect(() => authConfigFromEnv({ AUTH_JWKS_URL: jwks, AUTH_AUDIENCE: 'aftersales' })).toThrow(/needs AUTH_ISSUER/);
    expect(() => new TokenVerifier({ jwksUrl: jwks, audience: 'aftersales' })).toThrow(/needs AUTH_ISSUER/);
  });

  it('takes a JWKS with both, and a shared secret alone', () => {
    expect(
      authConfigFromEnv({ AUTH_JWKS_URL: jwks, AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'aftersales' }),
    ).toMatchObject({ jwksUrl: jwks, issuer: 'https://id.example.com/', audience: 'aftersales' });
    expect(authConfigFromEnv({ AUTH_JWT_SECRET: 'local' })).toMatchObject({ secret: 'local' });
  });
});
