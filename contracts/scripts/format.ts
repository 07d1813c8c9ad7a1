import { format, resolveConfig } from 'prettier';

/**
 * Formats generated text with the repository's Prettier configuration, so that generated files
 * are stable under `npm run format`.
 *
 * @param filePath where the text will be written (selects the parser and the configuration).
 */
export async function formatLikeRepository(text: string, filePath: string): Promise<string> {
  const options = (await resolveConfig(filePath)) ?? {};
  return format(text, { ...options, filepath: filePath });
}
