/**
 * JetLedger started as a user starts it: `jetledger start [--roles ...]` in a child process,
 * configured only through the environment. Ready means the CLI printed its URL and /readyz
 * answers 200 (api role), or the process logged that it started (roles without HTTP).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const URL_LINE = /Graph(?:iQL|QL) at (http:\/\/\S+)/;
// Variables a developer's shell may carry that would change what the test configures.
const SCRUBBED = ['HOST', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'NATS_REPLICAS', 'PORT', 'NATS_URL', 'MONGODB_URI', 'MONGODB_DB', 'NODE_ENV', 'GRAPHIQL', 'CORS_ORIGINS', 'MUTATION_RATE_LIMIT', 'GRAPHQL_DEBUG_ERRORS', 'METRICS_PORT'];
/** The start log (pino writes `msg` last), with the metrics URL of a process without the api. */
const STARTED_LINE = /"metrics":"(http:\/\/[^"]+)"[^\n]*"msg":"JetLedger started"/;

export type CliProcess = {
  readonly pid: number;
  readonly roles: string;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:41234/graphql; null without the api role. */
  readonly graphqlUrl: string | null;
  /** The same server's origin, for /healthz, /readyz, /metrics; null without the api role. */
  readonly baseUrl: string | null;
  /** Where the process serves /metrics: the api's, or its METRICS_PORT's (a free port here) without the api. */
  readonly metricsUrl: string;
  /** Everything the process wrote so far (stdout and stderr, the last 64 kB). */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code (0 is a clean shutdown). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
};

export type StartCliOptions = {
  /** `--roles` as the CLI takes it, e.g. "api" or "projector,scheduler"; all roles when omitted. */
  roles?: string;
  /** NATS_URL, MONGODB_URI, MONGODB_DB, JWT_SECRET, ... (PORT and METRICS_PORT default to 0, LOG_LEVEL to warn, or info without the api role). */
  env: Record<string, string>;
  readyTimeoutMs?: number;
};

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

/**
 * `node dist/cli.js` when a build exists that is newer than every source file (as after
 * `npm run build`), else the sources through tsx. JETLEDGER_E2E_CLI=tsx|dist forces one.
 */
export function cliCommand(): string[] {
  const dist = join(ROOT, 'dist', 'cli.js');
  const choice = process.env.JETLEDGER_E2E_CLI;
  const built = existsSync(dist) && statSync(dist).mtimeMs >= newest(join(ROOT, 'src'));
  if (choice === 'dist' || (choice !== 'tsx' && built)) return [dist];
  return ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')];
}

const running = new Set<ChildProcess>();
// A worker that dies mid-test must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startCli(options: StartCliOptions): Promise<CliProcess> {
  const roles = options.roles ?? 'api,processor,projector,scheduler';
  const hasApi = roles.split(',').includes('api');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  // Tracing only where a test asks for it, whatever the developer's shell exports.
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
  Object.assign(env, { PORT: '0', METRICS_PORT: '0', LOG_LEVEL: hasApi ? 'warn' : 'info', NO_COLOR: '1' }, options.env);

  const args = [...cliCommand(), 'start', ...(options.roles ? ['--roles', options.roles] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });

  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  if (process.env.CHILD_LOGS) {
    child.stdout?.on('data', (chunk) => process.stderr.write(`[cli ${roles}] ${chunk}`));
    child.stderr?.on('data', (chunk) => process.stderr.write(`[cli ${roles}] ${chunk}`));
  }

  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + readyTimeoutMs;
  const fail = async (why: string): Promise<never> => {
    await kill();
    throw new Error(`jetledger start ${roles}: ${why}\n--- output ---\n${output}`);
  };

  // The printed line (api) or the start log (other roles, which names the metrics URL), or the process ending first.
  const printed = await new Promise<string | null>((resolve) => {
    const check = (): void => {
      const match = (hasApi ? URL_LINE : STARTED_LINE).exec(output);
      if (match) done(match[1] ?? '');
    };
    const timer = setTimeout(() => done(null), readyTimeoutMs);
    const done = (value: string | null): void => {
      clearTimeout(timer);
      listeners.delete(check);
      resolve(value);
    };
    listeners.add(check);
    void exited.then(() => done(null));
    check();
  });
  if (printed === null) {
    return fail(child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode}) before it was up` : `not up after ${readyTimeoutMs} ms`);
  }

  const graphqlUrl = hasApi ? printed : null;
  const baseUrl = graphqlUrl === null ? null : new URL(graphqlUrl).origin;
  const metricsUrl = baseUrl === null ? printed : `${baseUrl}/metrics`;
  if (baseUrl !== null) {
    const port = new URL(baseUrl).port;
    if (port === '' || port === '0') return fail(`printed a URL without the real port: ${graphqlUrl}`);
    let last = 'no answer';
    for (;;) {
      const status = await fetch(`${baseUrl}/readyz`).then(
        async (r) => `${r.status} ${await r.text()}`,
        (error: Error) => error.message,
      );
      if (status.startsWith('200 ')) break;
      last = status;
      if (Date.now() > deadline) return fail(`/readyz not ready: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    pid: child.pid as number,
    roles,
    graphqlUrl,
    baseUrl,
    metricsUrl,
    output: () => output,
    stop: async (timeoutMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        await kill();
        throw new Error(`jetledger start ${roles} ignored SIGTERM for ${timeoutMs} ms\n--- output ---\n${output}`);
      }
      return outcome;
    },
    kill,
  };
}
