/**
 * Prints a bearer token for a local run (HS256 with AUTH_JWT_SECRET, the secret `npm start` uses).
 *
 *   npm run token -- --tenant shop-1 --roles agent,supervisor [--subject agent-7]
 */
import { signDevToken } from '@aftersales/platform-http';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const secret = process.env.AUTH_JWT_SECRET ?? 'local-development-secret';
void signDevToken(
  { subject: arg('subject', 'local-agent'), tenant: arg('tenant', 'shop-1'), roles: arg('roles', 'agent').split(',') },
  secret,
).then((token) => console.log(token));
