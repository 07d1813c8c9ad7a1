import { Client, type ClientConfig } from 'pg';

/**
 * SQLSTATE classes and socket errors that mean "the database is not reachable right now", not "this statement is
 * wrong": 08 (connection exception), 57P01–57P03 (administrator shutdown, crash shutdown, cannot connect now: a
 * server restarting or in recovery), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]|53300$)/;
const UNAVAILABLE_SOCKET = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/;
/** What `pg` and `pg-pool` say, without a code, when a connection broke or could not be had in time. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Connection closed|terminating connection/i;

/**
 * True when `error` says the database is unreachable (down, restarting, failing over, out of connections, or the
 * connection broke) rather than that a statement failed: callers answer 503 and retry instead of 500. Looks through
 * TypeORM's `driverError` and `cause`.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const { code, message, driverError, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.test(code))) return true;
  // 55000 with this message: the database was closed to connections (`ALTER DATABASE … ALLOW_CONNECTIONS false`).
  if (code === '55000' && typeof message === 'string' && /not currently accepting connections/.test(message)) {
    return true;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message) && (code === undefined || code === null)) {
    return true;
  }
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/** How a broken connection is reported (a log line); never thrown. */
export type ConnectionErrorListener = (error: Error) => void;

/**
 * A `pg` client that always has an `error` listener. A `Client` emits `error` when its connection breaks while no
 * query is running (the server restarted, a failover, `pg_terminate_backend`); `pg-pool` listens only while the client
 * is idle in the pool, so a client checked out at that moment (a transaction between two statements, a relay's leader
 * connection, a session lock holder) raised an unhandled `error` event and the process exited. With this listener
 * the error is reported, the running or next query fails with it, and the pool discards the client when it is
 * released (it is no longer queryable).
 */
export function guardedClientClass(onError: ConnectionErrorListener): typeof Client {
  return class GuardedClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
      this.on('error', onError);
    }
  };
}

/** A client for one-off administrative work (create the database), with the same guard. */
export function guardedClient(config: ClientConfig, onError: ConnectionErrorListener): Client {
  const client = new Client(config);
  client.on('error', onError);
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds or fails with something other than an unavailable database, waiting between attempts
 * with exponential backoff (from `initialMs` to `maxMs`) for at most `timeoutMs` overall: a service that starts
 * while its database restarts waits for it instead of exiting.
 */
export async function retryWhileUnavailable<T>(
  fn: () => Promise<T>,
  options: {
    timeoutMs: number;
    initialMs?: number;
    maxMs?: number;
    onRetry?: (error: unknown, waitMs: number) => void;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let wait = options.initialMs ?? 200;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + wait > deadline) throw error;
      options.onRetry?.(error, wait);
      await sleep(wait);
      wait = Math.min(wait * 2, options.maxMs ?? 5_000);
    }
  }
}
