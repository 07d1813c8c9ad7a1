import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Production sources of the services and libraries (tests, test kits and generator templates left out). */
export function productionSources(): string[] {
  const roots = ['services', 'libs'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !['testing', 'test-kit', 'service-generator'].includes(e.name))
      .map((e) => join(ROOT, dir, e.name, 'src')),
  );
  roots.push(join(ROOT, 'scripts'), join(ROOT, 'deploy'));
  const files: string[] = [];
  for (const root of roots) {
    let entries: string[] = [];
    try {
      entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.endsWith('.ts') || entry.endsWith('.spec.ts') || /(^|\/)testing\//.test(entry)) continue;
      if (/(^|\/)(helm|local)\//.test(entry) && root.endsWith('deploy')) continue;
      files.push(join(root, entry));
    }
  }
  return files.sort();
}

const PATTERNS = [
  /\b(?:process\.)?env\??\.([A-Z][A-Z0-9_]+)\b/g,
  /\benv\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g,
  /\(\s*env\s*,\s*'([A-Z][A-Z0-9_]+)'/g,
  /\b(?:webhookUrl|allowedHosts|timeoutMs):\s*'([A-Z][A-Z0-9_]+)'/g,
  /_ENV\s*=\s*'([A-Z][A-Z0-9_]+)'/g,
  // A service's own reader of a number: `int('COMPENSATION_PAYOUT_MAX_ATTEMPTS', 5)`.
  /\b(?:int|num|number|integer|flag|bool)\(\s*'([A-Z][A-Z0-9_]+)'/g,
];

/** Every environment variable production code reads, with the files reading it. */
export function variablesReadInCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (name: string, file: string) => found.set(name, [...new Set([...(found.get(name) ?? []), file])]);
  for (const file of productionSources()) {
    const text = readFileSync(file, 'utf8');
    const where = relative(ROOT, file);
    for (const pattern of PATTERNS) for (const m of text.matchAll(pattern)) add(m[1] as string, where);
    for (const m of text.matchAll(/notifierVariables\('([a-z-]+)'\)/g)) {
      const prefix = `${(m[1] as string).toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_NOTIFIER`;
      for (const suffix of ['WEBHOOK_URL', 'ALLOWED_HOSTS', 'TIMEOUT_MS']) add(`${prefix}_${suffix}`, where);
    }
  }
  return found;
}
