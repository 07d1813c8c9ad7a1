/**
 * Writes the OpenAPI document of every service, `services/<name>/openapi.json`, from its route table (what the service
 * serves at `GET /docs/openapi.json`; the inherited HTTP suite checks the two are equal).
 *
 *   npx tsx scripts/generate-openapi.ts            # (re)generate
 *   npx tsx scripts/generate-openapi.ts --check    # exit 1 if a committed document is stale
 *   npx tsx scripts/generate-openapi.ts --publish  # and move each baseline forward when nothing in it breaks
 *
 * `--publish` rewrites `services/<name>/openapi.baseline.json` (the published promise) only when the current document
 * breaks nothing of it (`findOpenApiBreakingChanges`); otherwise it reports the breaking changes and exits 1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { serviceOpenApiDocument } from '@aftersales/service-runtime';
import { format, resolveConfig } from 'prettier';
import { findOpenApiBreakingChanges } from './openapi/compat';
import { ApiServices, openApiBaselineFile, openApiFile } from './openapi/services';

/** Formats like `npm run format` would, so the committed documents stay as generated. */
async function formatLikeRepository(text: string, filePath: string): Promise<string> {
  return format(text, { ...((await resolveConfig(filePath)) ?? {}), filepath: filePath });
}

/** The formatted document of every service, by service name. */
export async function generatedOpenApiTexts(): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const definition of ApiServices) {
    const document = serviceOpenApiDocument(definition);
    texts.set(
      definition.service,
      await formatLikeRepository(`${JSON.stringify(document, null, 2)}\n`, openApiFile(definition.service)),
    );
  }
  return texts;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const publish = process.argv.includes('--publish');
  let failed = 0;
  for (const [service, text] of await generatedOpenApiTexts()) {
    const file = openApiFile(service);
    const shown = relative(process.cwd(), file);
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (committed !== text) {
      if (check) {
        failed += 1;
        console.error(`stale: ${shown} (run npx tsx scripts/generate-openapi.ts)`);
        continue;
      }
      writeFileSync(file, text);
      console.log(`wrote ${shown}`);
    }
    if (!publish) continue;
    const baseline = openApiBaselineFile(service);
    if (existsSync(baseline)) {
      const breaking = findOpenApiBreakingChanges(JSON.parse(readFileSync(baseline, 'utf8')), JSON.parse(text));
      if (breaking.length > 0) {
        failed += 1;
        console.error(
          `refused ${relative(process.cwd(), baseline)}: the current document breaks it:\n  ${breaking.join('\n  ')}`,
        );
        continue;
      }
    }
    writeFileSync(baseline, text);
    console.log(`published ${relative(process.cwd(), baseline)}`);
  }
  if (failed > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
