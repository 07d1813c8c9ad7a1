/**
 * Writes the static HTML catalogue of topics and events, `contracts/catalogue/index.html`.
 *
 *   npx tsx contracts/scripts/generate-catalogue.ts          # (re)generate
 *   npx tsx contracts/scripts/generate-catalogue.ts --check  # exit 1 if the committed file is stale
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { renderCatalogueHtml } from './catalogue-html';

export const CATALOGUE_FILE = join(__dirname, '..', 'catalogue', 'index.html');

export function catalogueText(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return renderCatalogueHtml(manifest.version);
}

function main(): void {
  const text = catalogueText();
  const shown = relative(process.cwd(), CATALOGUE_FILE);
  const committed = existsSync(CATALOGUE_FILE) ? readFileSync(CATALOGUE_FILE, 'utf8') : null;
  if (!process.argv.includes('--check')) {
    mkdirSync(dirname(CATALOGUE_FILE), { recursive: true });
    writeFileSync(CATALOGUE_FILE, text);
    console.log(`wrote ${shown}`);
  } else if (committed === text) {
    console.log(`${shown} is up to date`);
  } else {
    console.error(`${shown} is stale: run npx tsx contracts/scripts/generate-catalogue.ts`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
