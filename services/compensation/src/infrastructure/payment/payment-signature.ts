import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying a webhook's signature: `t=<unix ms>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-payment-signature';

/** Signs a webhook body (the exact JSON text sent) at `timestamp`. */
export function signPayload(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Checks a webhook's signature over its body, within `toleranceMs` of `now` (a replayed old confirmation is refused).
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  now: number,
  toleranceMs = 300_000,
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > toleranceMs || !parts.v1) return false;
  const expected = Buffer.from(signPayload(secret, body, timestamp).split('v1=')[1] as string, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
