/**
 * Writes the publishable JSON Schema files (`contracts/schemas/<topic>/<event-name>.v<N>.json` and `index.json`) from
 * the event catalogue, formatted like the repository.
 *
 *   npx tsx contracts/scripts/generate-schemas.ts            # (re)generate
 *   npx tsx contracts/scripts/generate-schemas.ts --check    # exit 1 if a committed file is stale or missing
 *   npx tsx contracts/scripts/generate-schemas.ts --release  # and record the current files as this package version's release
 *
 * `--release` writes `released.json`'s entry for the version in `contracts/package.json`; it refuses when that version
 * was released with other content (a released schema file never changes: bump the version first).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { formatLikeRepository } from './format';
import { RELEASES_FILE, SCHEMA_DIR, currentRelease, readReleases, schemaFiles } from './schemas';

/** The formatted text of every generated file, by path inside `contracts/schemas`. */
export async function generatedSchemaTexts(): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const [path, content] of schemaFiles()) {
    texts.set(path, await formatLikeRepository(`${JSON.stringify(content, null, 2)}\n`, join(SCHEMA_DIR, path)));
  }
  return texts;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

async function main(): Promise<void> {
  const texts = await generatedSchemaTexts();
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, text] of texts) {
    const target = join(SCHEMA_DIR, path);
    const committed = existsSync(target) ? readFileSync(target, 'utf8') : null;
    if (committed === text) continue;
    if (check) {
      stale += 1;
      console.error(`stale: ${relative(process.cwd(), target)}`);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`wrote ${relative(process.cwd(), target)}`);
  }
  if (stale > 0) {
    console.error('run npx tsx contracts/scripts/generate-schemas.ts');
    process.exitCode = 1;
    return;
  }
  if (!process.argv.includes('--release')) return;
  const version = packageVersion();
  const releases = readReleases();
  const files = currentRelease();
  const previous = releases[version];
  if (previous && JSON.stringify(previous) !== JSON.stringify(files)) {
    console.error(
      `refused: contracts ${version} was released with other schema files; bump contracts/package.json first`,
    );
    process.exitCode = 1;
    return;
  }
  releases[version] = files;
  writeFileSync(RELEASES_FILE, await formatLikeRepository(`${JSON.stringify(releases, null, 2)}\n`, RELEASES_FILE));
  console.log(`released contracts ${version}: ${Object.keys(files).length} schema files`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
