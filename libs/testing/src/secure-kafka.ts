import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runKafkaScript } from './infrastructure';

const run = promisify(execFile);

/** A single-node broker reached only over SASL_SSL (TLS + SCRAM-SHA-512), on a CA made for it. */
export interface SaslSslKafka {
  /** `127.0.0.1:<port>` */
  readonly brokers: readonly string[];
  /** PEM of the CA that signed the broker's certificate (what clients put in `KAFKA_SSL_CA_FILE`). */
  readonly caFile: string;
  /** Creates (or re-keys) a SCRAM-SHA-512 user with the broker's own tool (`kafka.sh scram-user`, kafka-configs). */
  addScramUser(name: string, password: string): Promise<void>;
  /** The environment a service needs to reach this broker as `user`. */
  clientEnv(user: string, password: string): Record<string, string>;
  /** The environment of `deploy/local/kafka.sh` for this broker (to run `status`, `logs`, … by hand). */
  readonly scriptEnv: Readonly<Record<string, string>>;
  /** Stops the broker and deletes its data, certificates and keys. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Makes a CA and a broker certificate for 127.0.0.1 with openssl (a 1-day CA, the broker's key in a PKCS12 keystore),
 * then starts `deploy/local/kafka.sh` in its SASL_SSL mode on a data directory of its own: the broker's SCRAM user is
 * created when the storage is formatted (`kafka-storage format --add-scram`), clients' users with
 * {@link SaslSslKafka.addScramUser}. Ports: `SECURE_KAFKA_PORT`/`SECURE_KAFKA_CONTROLLER_PORT`, else free ones.
 *
 * @example
 * ```ts
 * const kafka = await startSaslSslKafka();
 * await kafka.addScramUser('intake', 'intake-secret');
 * const env = kafka.clientEnv('intake', 'intake-secret'); // KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*
 * ```
 */
export async function startSaslSslKafka(
  options: { port?: number; controllerPort?: number } = {},
): Promise<SaslSslKafka> {
  const dir = await mkdtemp(join(tmpdir(), 'aftersales-sasl-ssl-'));
  const tls = join(dir, 'tls');
  const port = options.port ?? (Number(process.env.SECURE_KAFKA_PORT) || (await freePort()));
  const controllerPort =
    options.controllerPort ?? (Number(process.env.SECURE_KAFKA_CONTROLLER_PORT) || (await freePort()));
  const keystorePassword = randomBytes(12).toString('hex');
  try {
    await mkdir(tls, { recursive: true });
    const ssl = (...args: string[]) => run('openssl', args, { cwd: tls });
    await ssl(
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1',
      '-subj', '/CN=aftersales test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ); // prettier-ignore
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=127.0.0.1'); // prettier-ignore
    await writeFile(
      join(tls, 'broker.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
    );
    await ssl(
      'x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem',
      '-days', '1', '-extfile', 'broker.ext',
    ); // prettier-ignore
    await ssl(
      'pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem', '-name', 'broker',
      '-out', 'broker.p12', '-passout', `pass:${keystorePassword}`,
    ); // prettier-ignore
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not make the test CA and broker certificate with openssl: ${(error as Error).message}`);
  }
  const caFile = join(tls, 'ca.pem');
  const scriptEnv: Record<string, string> = {
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: join(dir, 'kafka'),
    KAFKA_SECURITY: 'sasl_ssl',
    KAFKA_SSL_KEYSTORE: join(tls, 'broker.p12'),
    KAFKA_SSL_KEYSTORE_PASSWORD: keystorePassword,
    KAFKA_SSL_CA_FILE: caFile,
    KAFKA_BROKER_SASL_USERNAME: 'broker',
    KAFKA_BROKER_SASL_PASSWORD: randomBytes(12).toString('hex'),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
  };
  const script = (...args: string[]) => runKafkaScript(args, { ...process.env, ...scriptEnv });
  try {
    await script('start');
  } catch (error) {
    await script('stop').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const brokers = [`127.0.0.1:${port}`];
  return {
    brokers,
    caFile,
    scriptEnv,
    addScramUser: (name, password) => script('scram-user', name, password),
    clientEnv: (user, password) => ({
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: user,
      KAFKA_SASL_PASSWORD: password,
    }),
    stop: async () => {
      try {
        await script('stop');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
