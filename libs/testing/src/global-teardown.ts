import type { Infrastructure } from './infrastructure';
import { INFRASTRUCTURE_HANDLE } from './global-setup';

/** Jest globalTeardown: stops what global-setup.ts started (the local broker is left running on purpose). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as typeof globalThis & { [INFRASTRUCTURE_HANDLE]?: Infrastructure };
  const infrastructure = holder[INFRASTRUCTURE_HANDLE];
  delete holder[INFRASTRUCTURE_HANDLE];
  await infrastructure?.stop();
}
