import { UnauthorizedException } from '@nestjs/common';
import { originOf } from './origin';
import { ValidationProblem } from './problem-details';

const principal = { subject: 'agent-7', tenant: 'shop-1', roles: ['agent'] };

describe('originOf (the command origin of an HTTP request)', () => {
  it('takes actor and tenant from the principal, the correlation id from X-Correlation-Id', () => {
    expect(originOf({ principal, headers: { 'x-correlation-id': 'corr-42' } })).toEqual({
      tenant: 'shop-1',
      actor: { id: 'agent-7', roles: ['agent'] },
      correlationId: 'corr-42',
    });
  });

  it('scopes Idempotency-Key to the tenant, so two tenants using the same key never meet', () => {
    const a = originOf({ principal, headers: { 'idempotency-key': 'k-1' } });
    const b = originOf({ principal: { ...principal, tenant: 'shop-2' }, headers: { 'idempotency-key': 'k-1' } });
    expect(a.idempotencyKey).toBe('shop-1:k-1');
    expect(b.idempotencyKey).toBe('shop-2:k-1');
  });

  it('starts a new correlation when the header is absent or unusable', () => {
    const fresh = originOf({ principal, headers: {} }).correlationId;
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(originOf({ principal, headers: { 'x-correlation-id': 'has spaces\n' } }).correlationId).not.toContain(' ');
    expect(originOf({ principal, headers: { 'x-correlation-id': 'x'.repeat(500) } }).correlationId).toHaveLength(36);
  });

  it('refuses an Idempotency-Key that is empty, too long or not printable (400), and a request without principal (401)', () => {
    for (const key of ['', 'x'.repeat(201), 'with space', 'tab\there']) {
      expect(() => originOf({ principal, headers: { 'idempotency-key': key } })).toThrow(ValidationProblem);
    }
    expect(() => originOf({ headers: {} })).toThrow(UnauthorizedException);
  });
});
