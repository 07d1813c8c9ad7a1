/**
 * Every environment variable the platform reads, in one place: what it does, who reads it, its default and an
 * example. `docs/environment.md` is generated from this table (`npm run docs:env`), a contract test fails when code
 * reads a variable missing here (test/contract/environment.spec.ts), and {@link checkEnvironment} validates a service's
 * variables at start, answering every problem at once, each with an example.
 */

/** What a value must look like. */
export type EnvKind =
  | { readonly type: 'text' }
  | { readonly type: 'secret' }
  | { readonly type: 'boolean' }
  | { readonly type: 'number'; readonly min: number; readonly integer?: boolean }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly caseInsensitive?: boolean }
  | { readonly type: 'url'; readonly protocols: readonly string[] }
  | { readonly type: 'brokers' }
  | { readonly type: 'json' }
  | { readonly type: 'list' };

/** Who reads a variable: every service, some services, or a tool. */
export type EnvScope = 'services' | 'ops' | 'tools' | readonly ServiceName[];
type ServiceName = 'intake' | 'returns' | 'logistics' | 'compensation' | 'incidents' | 'surveys';

export interface EnvVariable {
  readonly name: string;
  readonly scope: EnvScope;
  readonly kind: EnvKind;
  /** The default when unset, as documented; absent: none (or required). */
  readonly default?: string;
  /** Must be set (for the services of its scope). */
  readonly required?: boolean;
  readonly example: string;
  readonly description: string;
}

const ms = (min = 0): EnvKind => ({ type: 'number', min });
const count = (min = 1): EnvKind => ({ type: 'number', min, integer: true });
const bool: EnvKind = { type: 'boolean' };
const http: EnvKind = { type: 'url', protocols: ['http:', 'https:'] };
const text: EnvKind = { type: 'text' };
const secret: EnvKind = { type: 'secret' };
const list: EnvKind = { type: 'list' };

/** Webhook notifier settings of a service (`@aftersales/notifications`' `notifierVariables`). */
function notifier(prefix: string, service: ServiceName, what: string): EnvVariable[] {
  return [
    {
      name: `${prefix}_WEBHOOK_URL`,
      scope: [service],
      kind: http,
      example: 'https://hooks.example.com/aftersales',
      description: `The operator's webhook for ${what} of tenants whose policy names none; unset: the events are the only notice`,
    },
    {
      name: `${prefix}_ALLOWED_HOSTS`,
      scope: [service],
      kind: list,
      default: '(none)',
      example: 'hooks.example.com,*.pager.example.net,127.0.0.1:8080',
      description: `Hosts tenants' webhooks for ${what} may be on: \`host\`, \`host:port\`, \`*.domain\` (https; plain http only for hosts listed by name)`,
    },
    {
      name: `${prefix}_TIMEOUT_MS`,
      scope: [service],
      kind: ms(),
      default: '5000',
      example: '5000',
      description: `How long one webhook call for ${what} may take before it counts as failed`,
    },
  ];
}

/** Durable-timer loop settings of a service. */
function timers(prefix: string, service: ServiceName, concurrency?: string): EnvVariable[] {
  return [
    {
      name: `${prefix}_TIMER_POLL_MS`,
      scope: [service],
      kind: ms(),
      default: '250',
      example: '250',
      description: 'How often the timer loop looks for due timers when idle (ms)',
    },
    ...(concurrency
      ? [
          {
            name: `${prefix}_${concurrency}`,
            scope: [service],
            kind: count(),
            default: '2',
            example: '4',
            description: 'Timer loops per instance (they share due timers with `FOR UPDATE SKIP LOCKED`)',
          } satisfies EnvVariable,
        ]
      : []),
    {
      name: `${prefix}_TIMER_RETRY_BASE_MS`,
      scope: [service],
      kind: ms(),
      default: '1000',
      example: '1000',
      description: 'First retry delay of a failing timer; doubles per attempt (ms)',
    },
    {
      name: `${prefix}_TIMER_RETRY_MAX_MS`,
      scope: [service],
      kind: ms(),
      default: '300000',
      example: '300000',
      description: 'Longest retry delay of a failing timer (ms)',
    },
  ];
}

export const ENVIRONMENT: readonly EnvVariable[] = [
  // --- every service: infrastructure ---
  {
    name: 'DATABASE_URL',
    scope: 'services',
    kind: { type: 'url', protocols: ['postgres:', 'postgresql:'] },
    required: true,
    example: 'postgres://aftersales:secret@db.internal:5432/postgres',
    description:
      'The Postgres server; each service uses the database `aftersales_<service>` on it (created and migrated at start, or beforehand by `deploy/migrate.ts`: then a user without DDL rights will do). Also read by `npm run ops -- audit verify` and `deploy/migrate.ts`',
  },
  {
    name: 'DATABASE_NAME',
    scope: 'services',
    kind: text,
    default: 'aftersales_<service>',
    example: 'aftersales_intake_blue',
    description: "The service's database on that server",
  },
  {
    name: 'DATABASE_POOL_SIZE',
    scope: 'services',
    kind: count(),
    default: '10',
    example: '20',
    description: "Most Postgres connections of one instance (replicas × this must fit Postgres' `max_connections`)",
  },
  {
    name: 'DATABASE_POOL_WARM',
    scope: 'services',
    kind: count(0),
    default: 'the pool size',
    example: '0',
    description: 'Connections opened before the service reports ready and kept open; 0 opens them on demand',
  },
  {
    name: 'KAFKA_BROKERS',
    scope: 'services',
    kind: { type: 'brokers' },
    required: true,
    example: 'kafka-0.kafka:9093,kafka-1.kafka:9093',
    description:
      'Bootstrap brokers, `host:port` separated by commas. Also read by `npm run ops` (default 127.0.0.1:9092)',
  },
  {
    name: 'KAFKA_SSL',
    scope: 'services',
    kind: bool,
    default: 'false',
    example: 'true',
    description:
      'TLS to the brokers; their certificate and host name are verified (system CAs, or `KAFKA_SSL_CA_FILE`)',
  },
  {
    name: 'KAFKA_SSL_CA_FILE',
    scope: 'services',
    kind: text,
    example: '/etc/kafka-ca/ca.crt',
    description:
      "PEM file of the CA(s) to trust instead of the system's (a private CA, e.g. Strimzi's cluster CA); needs `KAFKA_SSL=true`",
  },
  {
    name: 'KAFKA_SASL_MECHANISM',
    scope: 'services',
    kind: { type: 'enum', values: ['plain', 'scram-sha-256', 'scram-sha-512'], caseInsensitive: true },
    example: 'scram-sha-512',
    description:
      'SASL authentication; needs `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`. Wrong credentials fail the start',
  },
  {
    name: 'KAFKA_SASL_USERNAME',
    scope: 'services',
    kind: text,
    example: 'aftersales-intake',
    description: 'The SASL user (a Strimzi KafkaUser: its name)',
  },
  {
    name: 'KAFKA_SASL_PASSWORD',
    scope: 'services',
    kind: secret,
    example: '(from the KafkaUser secret)',
    description: "The SASL user's password",
  },
  {
    name: 'KAFKA_PARTITIONS',
    scope: 'services',
    kind: count(),
    default: '6',
    example: '12',
    description: 'Partitions of the topics a service creates (the most replicas a consumer group can use)',
  },
  {
    name: 'KAFKA_CREATE_TOPICS',
    scope: 'services',
    kind: bool,
    default: 'true',
    example: 'false',
    description:
      "`false`: the cluster's operator makes the topics (Strimzi KafkaTopics); the service only checks they exist, at start and in `/health/ready`",
  },
  {
    name: 'KAFKA_REPLICATION_FACTOR',
    scope: 'services',
    kind: count(),
    default: '3',
    example: '1',
    description:
      'Replicas of the topics a service creates (1 on a single-broker development cluster; `npm start` sets 1)',
  },
  {
    name: 'KAFKA_MIN_INSYNC_REPLICAS',
    scope: 'services',
    kind: count(),
    default: '2 (1 with one replica)',
    example: '2',
    description:
      '`min.insync.replicas` of those topics: replicas a write must reach (at most `KAFKA_REPLICATION_FACTOR`)',
  },
  {
    name: 'KAFKA_RETENTION_MS',
    scope: 'services',
    kind: count(-1),
    default: '604800000 (7 days)',
    example: '-1',
    description: '`retention.ms` of event topics a service creates (-1: forever)',
  },
  {
    name: 'KAFKA_DLQ_RETENTION_MS',
    scope: 'services',
    kind: count(-1),
    default: '2592000000 (30 days)',
    example: '7776000000',
    description: '`retention.ms` of dead-letter topics (`*.dlq`) a service creates',
  },
  {
    name: 'KAFKA_TOPIC_CONFIG',
    scope: 'services',
    kind: { type: 'json' },
    example: '{"aftersales.intake.events":{"partitions":12,"config":{"cleanup.policy":"compact","retention.ms":"-1"}}}',
    description:
      'Per topic: `partitions`, `replicationFactor` and topic configs (`cleanup.policy`, `retention.ms`, `min.insync.replicas`, …) winning over the above',
  },
  {
    name: 'KAFKA_CONSUMER_GROUP_PREFIX',
    scope: 'services',
    kind: text,
    default: '(none)',
    example: 'blue.',
    description: 'Prefix of consumer group ids (`<prefix><service>.<consumer>`), to run isolated copies on one cluster',
  },
  {
    name: 'KAFKA_CONSUMER_FROM_BEGINNING',
    scope: 'services',
    kind: bool,
    default: 'true',
    example: 'false',
    description: 'Where a new consumer group starts: the beginning of its topics, or (`false`) their end',
  },
  // --- every service: HTTP, auth, telemetry ---
  {
    name: 'PORT',
    scope: 'services',
    kind: count(1),
    default: '3000 (compensation: 3006)',
    example: '3001',
    description: 'HTTP port',
  },
  {
    name: 'HTTP_BODY_LIMIT_BYTES',
    scope: 'services',
    kind: count(),
    default: '262144',
    example: '524288',
    description: 'Largest request body accepted; larger ones get 413 problem details',
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    scope: 'services',
    kind: ms(1),
    default: '25000',
    example: '25000',
    description:
      "How long a shutdown (SIGTERM) may take before the process exits 1; keep it below the pod's termination grace period",
  },
  {
    name: 'SHUTDOWN_DRAIN_DELAY_MS',
    scope: 'services',
    kind: ms(0),
    default: '0',
    example: '5000',
    description:
      'How long the service keeps serving after readiness turned false (endpoints and load balancers catch up)',
  },
  {
    name: 'KAFKA_CONSUMER_MAX_WAIT_MS',
    scope: 'services',
    kind: ms(1),
    default: '500',
    example: '500',
    description:
      "Longest a consumer's fetch waits at the broker when there is nothing new (Kafka's `fetch.max.wait.ms`): no delay to a message (the fetch returns as soon as one arrives); shorter polls more often idle, longer makes a stopping or rebalancing consumer wait longer for its fetch",
  },
  {
    name: 'KAFKA_GROUP_LAG_INTERVAL_MS',
    scope: 'services',
    kind: ms(1),
    default: '15000',
    example: '15000',
    description: "How often each consumer reads its group's broker-side lag from the admin API (ms)",
  },
  {
    name: 'SERVICE_ROLES',
    scope: 'services',
    kind: list,
    default: 'api,consumers,relay,workers',
    example: 'workers,relay',
    description:
      'What this process runs: `api` (its HTTP routes), `consumers` (inbox consumers), `relay` (outbox relay, one leader), `workers` (durable timers, projections). Under load, run `workers,relay` in processes of their own so timers never queue behind requests (ADR 24); every process serves `/health`, `/metrics` and `/docs`',
  },
  {
    name: 'TIMER_RETENTION_DAYS',
    scope: 'services',
    kind: { type: 'number', min: 0 },
    default: '30',
    example: '90',
    description:
      'How long fired and cancelled durable timers are kept: the processes with the `workers` role delete older ones every 5 minutes, 5,000 rows per statement, never a pending timer (`aftersales_timers_deleted_total`; ADR 28). 0 keeps them forever; fractions allowed (0.5: 12 h)',
  },
  {
    name: 'AUTH_JWKS_URL',
    scope: 'services',
    kind: http,
    example: 'https://id.example.com/.well-known/jwks.json',
    description:
      "The identity provider's keys (production); needs `AUTH_ISSUER` and `AUTH_AUDIENCE`. This or `AUTH_JWT_SECRET` is required",
  },
  {
    name: 'AUTH_ISSUER',
    scope: 'services',
    kind: text,
    example: 'https://id.example.com/',
    description: 'The `iss` every token must carry (required with `AUTH_JWKS_URL`)',
  },
  {
    name: 'AUTH_AUDIENCE',
    scope: 'services',
    kind: text,
    example: 'aftersales',
    description: 'The `aud` every token must carry (required with `AUTH_JWKS_URL`)',
  },
  {
    name: 'AUTH_JWT_SECRET',
    scope: 'services',
    kind: secret,
    example: 'local-development-secret',
    description: 'HS256 shared secret (local runs, small installs; `npm run token` signs with it)',
  },
  {
    name: 'AUTH_TENANT_CLAIM',
    scope: 'services',
    kind: text,
    default: 'tenant',
    example: 'https://example.com/tenant',
    description: 'The claim holding the tenant id',
  },
  {
    name: 'AUTH_ROLES_CLAIM',
    scope: 'services',
    kind: text,
    default: 'roles',
    example: 'https://example.com/roles',
    description: 'The claim holding the roles array',
  },
  {
    name: 'CLOCK_OFFSET_MS',
    scope: 'services',
    kind: { type: 'number', min: Number.NEGATIVE_INFINITY },
    default: '0',
    example: '3600000',
    description: "Shifts the service's clock (incident drills and tests only)",
  },
  {
    name: 'LOG_LEVEL',
    scope: 'services',
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    example: 'debug',
    description: 'pino log level (JSON lines on stdout with trace ids)',
  },
  {
    name: 'LOG_FILE',
    scope: 'services',
    kind: text,
    default: '(stdout)',
    example: '/var/log/aftersales/intake.log',
    description: 'Write the logs to this file instead (tests use it)',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    scope: 'services',
    kind: http,
    default: '(no export)',
    example: 'http://otel-collector:4318',
    description: 'OTLP/HTTP collector for traces (standard OpenTelemetry variable)',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    scope: 'services',
    kind: http,
    example: 'http://otel-collector:4318/v1/traces',
    description: 'The traces endpoint alone (standard; wins over the above)',
  },
  {
    name: 'OTEL_TRACES_EXPORTER',
    scope: 'services',
    kind: text,
    example: 'console',
    description: '`console` also prints spans',
  },
  {
    name: 'OTEL_SERVICE_NAME',
    scope: 'services',
    kind: text,
    default: 'the service',
    example: 'intake-eu',
    description: '`service.name` of the traces',
  },
  {
    name: 'OTEL_SDK_DISABLED',
    scope: 'services',
    kind: bool,
    default: 'false',
    example: 'true',
    description: 'No tracing at all',
  },
  // --- intake ---
  {
    name: 'PRIVACY_MASTER_KEY',
    scope: ['intake'],
    kind: { type: 'text' },
    required: true,
    example: '(openssl rand -base64 32)',
    description:
      "Base64 of 32 random bytes: wraps each customer's data key; losing it shreds every customer's personal data. Also read by `npm run ops -- privacy rotate-master-key` (the new key)",
  },
  {
    name: 'PRIVACY_PREVIOUS_MASTER_KEYS',
    scope: ['intake'],
    kind: list,
    default: '(none)',
    example: 'b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleS0=',
    description:
      'During a master-key rotation: the previous keys (base64, comma-separated) still unwrapping data keys until `npm run ops -- privacy rotate-master-key` re-wrapped them all; then remove',
  },
  ...timers('INTAKE', 'intake', 'TIMER_CONCURRENCY'),
  ...notifier('INTAKE_NOTIFIER', 'intake', 'SLA warnings and escalations'),
  // --- incidents ---
  {
    name: 'PAGER_WEBHOOK_URL',
    scope: ['incidents'],
    kind: http,
    example: 'https://pager.example.com/hooks/aftersales',
    description:
      'The pager webhook for tenants whose policy names none (called with `Idempotency-Key: <pageId>`); unset: pages are only on Kafka',
  },
  {
    name: 'INCIDENTS_PAGER_ALLOWED_HOSTS',
    scope: ['incidents'],
    kind: list,
    default: '(none)',
    example: 'pager.example.com,*.opsgenie.example',
    description: "Hosts tenants' pager webhooks may be on (`host`, `host:port`, `*.domain`)",
  },
  {
    name: 'PAGER_TIMEOUT_MS',
    scope: ['incidents'],
    kind: ms(),
    default: '5000',
    example: '5000',
    description: 'How long one pager call may take before it counts as failed',
  },
  ...timers('INCIDENTS', 'incidents', 'TIMER_CONCURRENCY'),
  {
    name: 'INCIDENTS_POLICY_CACHE_MS',
    scope: ['incidents'],
    kind: ms(),
    default: '5000',
    example: '5000',
    description: "How long a tenant's incident policy is cached per instance",
  },
  {
    name: 'INCIDENTS_CLOCK_SKEW_TOLERANCE_MS',
    scope: ['incidents'],
    kind: ms(),
    default: '300000',
    example: '300000',
    description: 'A complaint up to this far in the future is taken as received now (clock skew between services)',
  },
  {
    name: 'INCIDENTS_CACHED_STREAMS',
    scope: ['incidents'],
    kind: count(0),
    default: '100',
    example: '100',
    description:
      "Complaint clusters, and as many incidents, whose folded state each process keeps between the complaint consumers' transactions (ADR 32): a surge's chunks read only what was stored since; 0 turns it off",
  },
  // --- returns, logistics ---
  ...timers('RETURNS', 'returns'),
  ...notifier('RETURNS_NOTIFIER', 'returns', 'breached return deadlines'),
  ...timers('LOGISTICS', 'logistics', 'TIMER_LOOPS'),
  {
    name: 'LOGISTICS_TIMER_SLACK_MS',
    scope: ['logistics'],
    kind: ms(),
    default: '250',
    example: '250',
    description:
      'How late a tracking timer or notice may fire so that those falling due close together share a transaction; never early (ms; 0: each at its instant)',
  },
  ...notifier('LOGISTICS_NOTIFIER', 'logistics', 'carrier contacts and alarms'),
  // --- surveys ---
  ...timers('SURVEYS', 'surveys'),
  ...notifier('SURVEYS_NOTIFIER', 'surveys', 'survey invitations, reminders and overdue follow-up calls'),
  // --- compensation ---
  {
    name: 'COMPENSATION_PROVIDER_URL',
    scope: ['compensation'],
    kind: http,
    default: 'http://127.0.0.1:3016 (the local sandbox)',
    example: 'https://payments.example.com/api',
    description: 'The payment provider payouts go through',
  },
  {
    name: 'COMPENSATION_PROVIDER_WEBHOOK_SECRET',
    scope: ['compensation'],
    kind: secret,
    default: 'local-payment-sandbox-secret',
    example: '(from the provider)',
    description: "Verifies the provider's signed payout confirmations",
  },
  {
    name: 'COMPENSATION_PUBLIC_URL',
    scope: ['compensation'],
    kind: http,
    default: 'http://127.0.0.1:<PORT>',
    example: 'https://compensation.example.com',
    description: 'Where the provider sends its confirmations',
  },
  {
    name: 'COMPENSATION_PROVIDER_TIMEOUT_MS',
    scope: ['compensation'],
    kind: ms(),
    default: '5000',
    example: '5000',
    description: 'How long one provider call may take',
  },
  {
    name: 'COMPENSATION_PROVIDER_BATCH_SIZE',
    scope: ['compensation'],
    kind: count(),
    default: '100',
    example: '100',
    description:
      'Payouts sent to the provider in one request at most (`POST /payout-batches`, 1–1000); 1 sends each alone (`POST /payouts`), for a provider without batches',
  },
  {
    name: 'COMPENSATION_PAYOUT_MAX_ATTEMPTS',
    scope: ['compensation'],
    kind: count(),
    default: '5',
    example: '5',
    description: 'Attempts of a payout before it is reported failed',
  },
  {
    name: 'COMPENSATION_PAYOUT_RETRY_BASE_MS',
    scope: ['compensation'],
    kind: ms(),
    default: '2000',
    example: '2000',
    description: 'First retry delay of a failed payout; doubles per attempt',
  },
  {
    name: 'COMPENSATION_CONFIRMATION_TIMEOUT_MS',
    scope: ['compensation'],
    kind: ms(),
    default: '30000',
    example: '30000',
    description: "How long a payout waits for the provider's confirmation before asking",
  },
  ...timers('COMPENSATION', 'compensation'),
  {
    name: 'COMPENSATION_TIMER_LOOPS',
    scope: ['compensation'],
    kind: count(),
    default: '4',
    example: '4',
    description:
      'Timer loops per instance (payout sends, checks and expiries; they share due timers with `FOR UPDATE SKIP LOCKED`)',
  },
  {
    name: 'COMPENSATION_TIMERS_PER_TRANSACTION',
    scope: ['compensation'],
    kind: count(),
    default: '20',
    example: '20',
    description:
      'Due timers one timer transaction claims: its payout attempts are sent to the provider side by side, each recorded in its own savepoint, one commit',
  },
  {
    name: 'COMPENSATION_REPORTS_PER_TRANSACTION',
    scope: ['compensation'],
    kind: count(),
    default: '50',
    example: '50',
    description:
      'Most provider reports (confirmation webhooks) one transaction records (group commit: the calls arriving while one transaction runs go into the next)',
  },
  {
    name: 'COMPENSATION_BUDGET_SLICES',
    scope: ['compensation'],
    kind: count(),
    default: '16',
    example: '16',
    description:
      'Slices each budget is kept in: approvals of one budget lock one slice each, not the whole budget (ADR 17)',
  },
  // --- tools ---
  {
    name: 'SERVICE',
    scope: 'tools',
    kind: { type: 'enum', values: ['intake', 'returns', 'logistics', 'compensation', 'incidents', 'surveys'] },
    example: 'returns',
    description: '`deploy/migrate.ts`: the service whose database to migrate (or its first argument)',
  },
  {
    name: 'DATABASE_RUNTIME_URL',
    scope: 'tools',
    kind: { type: 'url', protocols: ['postgres:', 'postgresql:'] },
    example: 'postgres://aftersales_app@db.internal:5432/postgres',
    description:
      "`deploy/migrate.ts`: the URL the service runs with; when its user is not DATABASE_URL's, it is granted reading and writing the service's tables and sequences (no DDL) after the migrations",
  },
];

const byName = new Map(ENVIRONMENT.map((v) => [v.name, v]));

/** The catalogue entry of a variable. */
export function environmentVariable(name: string): EnvVariable | undefined {
  return byName.get(name);
}

const appliesTo = (v: EnvVariable, service: string) =>
  v.scope === 'services' || (Array.isArray(v.scope) && v.scope.includes(service as ServiceName));

function numberProblem(kind: { readonly min: number; readonly integer?: boolean }, value: string): string | null {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) return 'expected a number';
  if (kind.integer && !Number.isInteger(n)) return 'expected a whole number';
  return n < kind.min ? `expected at least ${kind.min}` : null;
}

function urlProblem(protocols: readonly string[], value: string): string | null {
  try {
    return protocols.includes(new URL(value).protocol) ? null : `expected a ${protocols.join(' or ')} URL`;
  } catch {
    return 'expected a URL';
  }
}

/** What is wrong with one value, or `null`. */
export function problemWith(v: EnvVariable, raw: string): string | null {
  const value = raw.trim();
  const kind = v.kind;
  switch (kind.type) {
    case 'boolean':
      return value === 'true' || value === 'false' ? null : 'expected true or false';
    case 'number':
      return numberProblem(kind, value);
    case 'enum': {
      const candidate = kind.caseInsensitive ? value.toLowerCase() : value;
      return kind.values.includes(candidate) ? null : `expected one of ${kind.values.join(', ')}`;
    }
    case 'url':
      return urlProblem(kind.protocols, value);
    case 'brokers':
      return value
        .split(',')
        .map((b) => b.trim())
        .every((b) => /^[A-Za-z0-9._-]+:\d{1,5}$/.test(b))
        ? null
        : 'expected host:port[,host:port…]';
    case 'json':
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'expected JSON';
      }
    case 'text':
    case 'secret':
    case 'list':
      return null;
  }
}

/**
 * Validates the variables a service reads, all at once: required ones present, set ones well-formed. Throws one error
 * listing every problem, each with an example (secrets are never repeated back).
 *
 * @example
 * checkEnvironment('intake', { KAFKA_BROKERS: 'kafka', DATABASE_URL: 'postgres://db/postgres', … });
 * // Error: intake cannot start, its environment is invalid:
 * //   KAFKA_BROKERS=kafka: expected host:port[,host:port…] (e.g. KAFKA_BROKERS=kafka-0.kafka:9093,kafka-1.kafka:9093)
 */
export function checkEnvironment(service: string, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  for (const v of ENVIRONMENT) {
    if (!appliesTo(v, service)) continue;
    const raw = env[v.name];
    if (raw === undefined || raw.trim() === '') {
      if (v.required) problems.push(`${v.name} is not set: ${v.description} (e.g. ${v.name}=${v.example})`);
      continue;
    }
    const problem = problemWith(v, raw);
    if (problem) {
      const shown = v.kind.type === 'secret' ? '(hidden)' : raw;
      problems.push(`${v.name}=${shown}: ${problem} (e.g. ${v.name}=${v.example})`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `${service} cannot start, its environment is invalid (docs/environment.md):\n  ${problems.join('\n  ')}`,
    );
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const scopeOf = (v: EnvVariable) =>
  v.scope === 'services'
    ? 'all services'
    : v.scope === 'ops'
      ? '`npm run ops`'
      : v.scope === 'tools'
        ? 'tools'
        : v.scope.join(', ');

/** `docs/environment.md`: the table, generated (`npm run docs:env`). */
export function renderEnvironmentDocs(): string {
  const rows = ENVIRONMENT.map(
    (v) =>
      `| \`${v.name}\` | ${scopeOf(v)} | ${v.required ? '**required**' : cell(v.default ?? '—')} | \`${cell(v.example)}\` | ${cell(v.description)} |`,
  );
  return [
    '# Environment variables',
    '',
    '<!-- Generated from libs/service-runtime/src/environment.ts by `npm run docs:env`; edit that file, not this one. -->',
    '',
    'Every variable the services and tools read. A service validates its variables at start and refuses to start',
    'with every problem listed, each with an example (`checkEnvironment`); a contract test fails when code reads a',
    'variable that is not in this table (`test/contract/environment.spec.ts`). Auth needs `AUTH_JWT_SECRET`, or',
    '`AUTH_JWKS_URL` with `AUTH_ISSUER` and `AUTH_AUDIENCE` (a JWKS without both is refused).',
    '',
    '| variable | read by | default | example | what it does |',
    '| -------- | ------- | ------- | ------- | ------------ |',
    ...rows,
    '',
  ].join('\n');
}
