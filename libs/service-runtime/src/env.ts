/**
 * A number from the environment (a service's technical settings): `fallback` when the variable is unset or blank;
 * otherwise it must be a finite number, at least 0 (`non-negative`, the default) or above 0 (`positive`), else start-up
 * fails naming the variable and its value.
 */
export function numberFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  sign: 'non-negative' | 'positive' = 'non-negative',
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (sign === 'positive' && (!Number.isFinite(value) || value <= 0)) {
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  }
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return value;
}
