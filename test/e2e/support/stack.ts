/**
 * What every e2e file starts: a private nats-server, a fresh database on the run's MongoDB, one
 * or more `jetledger start` processes configured against both, and tokens signed with their secret.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../../../src/infra/auth/jwt.js';
import { type CliProcess, startCli } from '../../support/cli-process.js';
import { type TestDatabase, testDatabase } from '../../support/mongo.js';
import { type TestNats, startTestNats } from '../../support/nats.js';

export type E2EStack = {
  readonly nats: TestNats;
  readonly mongo: TestDatabase;
  /** Every process started so far, in order. */
  readonly processes: readonly CliProcess[];
  /** The first process with the api role. */
  readonly api: CliProcess & { readonly graphqlUrl: string; readonly baseUrl: string };
  readonly wsUrl: string;
  token(sub: string, opts?: { admin?: boolean }): Promise<string>;
  /** The JWT secret the processes verify with (to sign tokens with unusual claims). */
  readonly secret: string;
  /** One more process against the same NATS, database and secret (stopped with the rest). */
  startProcess(roles: string): Promise<CliProcess>;
  /** Stops every process (SIGTERM) and asserts each shut down cleanly, then removes NATS and the database. */
  stop(): Promise<void>;
};

/**
 * `roles`: one entry per process, as `--roles` takes it (undefined: every role in one process).
 * `envOf` adds variables to a process by its roles (OTEL_* for tracing, LOG_LEVEL).
 */
export async function startE2EStack(
  roles: ReadonlyArray<string | undefined> = [undefined],
  envOf: (roles: string | undefined) => Record<string, string> = () => ({}),
): Promise<E2EStack> {
  const nats = await startTestNats();
  const mongo = await testDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'jetledger-e2e-'));
  const secret = randomBytes(32).toString('hex');
  const env = { NATS_URL: nats.url, MONGODB_URI: mongo.uri, MONGODB_DB: mongo.dbName, JWT_SECRET: secret, DATA_DIR: dataDir };
  const started = await Promise.allSettled(roles.map((r) => startCli({ ...(r === undefined ? {} : { roles: r }), env: { ...env, ...envOf(r) } })));
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));

  const cleanUp = async (): Promise<void> => {
    await mongo.drop().catch(() => undefined);
    await nats.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const api = processes.find((p) => p.graphqlUrl !== null);
  if (failed || !api) {
    await Promise.all(processes.map((p) => p.kill()));
    await cleanUp();
    throw failed ? failed.reason : new Error('no process runs the api role');
  }

  return {
    nats,
    mongo,
    processes,
    api: api as E2EStack['api'],
    wsUrl: (api.graphqlUrl as string).replace(/^http/, 'ws'),
    startProcess: async (r) => {
      const started = await startCli({ roles: r, env: { ...env, ...envOf(r) } });
      processes.push(started);
      return started;
    },
    token: (sub, opts = {}) => signToken({ secret, sub, admin: opts.admin ?? false, ttl: '1h' }),
    secret,
    async stop() {
      // api first: it holds client connections; then the rest, as an operator would.
      const codes: Array<{ roles: string; code: number | null; output: string }> = [];
      try {
        for (const p of [api, ...processes.filter((p) => p !== api)]) codes.push({ roles: p.roles, code: await p.stop(), output: p.output() });
      } finally {
        await Promise.all(processes.map((p) => p.kill()));
        await cleanUp();
      }
      const unclean = codes.filter((c) => c.code !== 0);
      if (unclean.length > 0) {
        throw new Error(`unclean shutdown: ${unclean.map((c) => `${c.roles} exited ${c.code}\n${c.output}`).join('\n')}`);
      }
    },
  };
}
