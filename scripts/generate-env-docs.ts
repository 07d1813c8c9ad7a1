/** `npm run docs:env`: writes docs/environment.md from the table in libs/service-runtime/src/environment.ts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvironmentDocs } from '@aftersales/service-runtime';

const file = join(__dirname, '..', 'docs', 'environment.md');
writeFileSync(file, renderEnvironmentDocs());
console.log(`wrote ${file}`);
