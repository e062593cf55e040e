/**
 * Configuration from the environment, validated once at start: a bad value stops the start with
 * a message naming the variable, instead of failing later somewhere less obvious.
 */
import { z } from 'zod';
import { DEFAULT_SHARD_COUNT, MAX_SHARD_COUNT } from './app/sharding.js';
import { DEFAULT_LEASE_TTL_MS } from './infra/nats/streams.js';
import { otelVariables } from './otel-config.js';

const optionalUrl = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

/** Comma-separated origins such as "https://app.example.com,http://localhost:5173": scheme, host, port only. */
const origins = z
  .string()
  .transform((text) => text.split(',').map((o) => o.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    for (const origin of list) {
      let parsed: URL | null = null;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = null;
      }
      if (parsed === null || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `"${origin.slice(0, 80)}" is not an origin like https://app.example.com (no path, no trailing slash, no *)` });
      }
    }
  });

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    NATS_URL: optionalUrl,
    MONGODB_URI: optionalUrl.refine((v) => v === undefined || /^mongodb(\+srv)?:\/\//.test(v), 'must start with mongodb:// or mongodb+srv://'),
    MONGODB_DB: z.string().trim().regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only').default('jetledger'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_JWKS_URL: z.string().url().optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().trim().min(1).default('.data'),
    NODE_ENV: z.string().default('development'),
    NATS_REPLICAS: z.coerce.number().int().refine((n) => n === 1 || n === 3 || n === 5, 'must be 1, 3 or 5').default(1),
    // Read when the journal (shards) or the lease bucket (TTL) is created; afterwards what was recorded wins.
    PROJECTION_SHARDS: z.coerce.number().int().min(1).max(MAX_SHARD_COUNT).default(DEFAULT_SHARD_COUNT),
    PROJECTION_LEASE_TTL_MS: z.coerce.number().int().min(1_000, 'must be at least 1000').max(10_000, 'must be at most 10000: a dead projector\'s shards wait that long').default(DEFAULT_LEASE_TTL_MS),
    /** GraphiQL at /graphql: on unless NODE_ENV=production. */
    GRAPHIQL: bool.optional(),
    /** Browser origins allowed to call the API; default: none in production, localhost otherwise. */
    CORS_ORIGINS: origins.optional(),
    /** Mutations per user and minute (a token bucket that also holds this many); 0 turns it off. */
    MUTATION_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(300),
    /** originalError and stack in error answers: for a developer's machine only. */
    GRAPHQL_DEBUG_ERRORS: bool.default(false),
    /**
     * /metrics of a process without the api role (the api serves it on PORT). Unset: 9464, or a free
     * port when 9464 is taken (several roles on one host); set: that port or nothing; 0: any free port.
     */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    ...otelVariables,
  })
  .refine((c) => !(c.JWT_SECRET && c.JWT_JWKS_URL), { message: 'set JWT_SECRET or JWT_JWKS_URL, not both', path: ['JWT_SECRET'] })
  .refine((c) => !(c.GRAPHQL_DEBUG_ERRORS && c.NODE_ENV === 'production'), {
    message: 'must not be true when NODE_ENV=production: error answers would show internals',
    path: ['GRAPHQL_DEBUG_ERRORS'],
  });

export type Config = z.infer<typeof schema>;

/** Where a process without the api role serves /metrics when METRICS_PORT is unset (OpenTelemetry's Prometheus port). */
export const DEFAULT_METRICS_PORT = 9464;

const isProduction = (config: Config): boolean => config.NODE_ENV === 'production';

export const graphiqlEnabled = (config: Config): boolean => config.GRAPHIQL ?? !isProduction(config);

/** The CORS allowlist the api applies (src/graphql/cors.ts). */
export const corsPolicy = (config: Config): { origins: string[]; localhost: boolean } =>
  config.CORS_ORIGINS !== undefined ? { origins: config.CORS_ORIGINS, localhost: false } : { origins: [], localhost: !isProduction(config) };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || 'environment'}: ${i.message}`).join('\n');
  throw new ConfigError(`invalid configuration:\n${problems}`);
}
