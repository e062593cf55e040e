/**
 * A JetLedger stack for integration tests: a private nats-server, a fresh database on the run's
 * MongoDB, and the roles started in this process (or left to a test to start and kill).
 */
import type { LedgerApp, Principal } from '../../src/app/ledger-app.js';
import { connectNats, type Nats } from '../../src/infra/nats/connection.js';
import { type Topology, ensureStreams } from '../../src/infra/nats/streams.js';
import { createLogger } from '../../src/logger.js';
import { type Role, type RoleDeps, type Stoppable, type Tuning, createApiApp, startProcessorRole, startProjectorRole, startSchedulerRole } from '../../src/roles.js';
import { type TestDatabase, testDatabase } from './mongo.js';
import { type TestNats, startTestNats } from './nats.js';

export type TestStack = {
  readonly server: TestNats;
  readonly mongo: TestDatabase;
  readonly nats: Nats;
  readonly topology: Topology;
  readonly app: LedgerApp;
  readonly deps: RoleDeps;
  start(role: Exclude<Role, 'api'>): Promise<Stoppable>;
  stop(): Promise<void>;
};

export const FAST: Tuning = { ackWaitMs: 2_000, schedulerIntervalMs: 100, maxDeliver: 5, leasePollMs: 100 };
/** Short leases: a killed projector's shards move within this, and crash tests need not wait 8 s. */
export const TEST_LEASE_TTL_MS = 2_000;

export async function startTestStack(opts: { roles?: Exclude<Role, 'api'>[]; tuning?: Tuning; shards?: number; leaseTtlMs?: number } = {}): Promise<TestStack> {
  const server = await startTestNats();
  const mongo = await testDatabase();
  const nats = await connectNats(server.url, 'test');
  const topology = await ensureStreams(nats.nc, nats.jsm, { shards: opts.shards, leaseTtlMs: opts.leaseTtlMs ?? TEST_LEASE_TTL_MS });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const deps: RoleDeps = { nats, topology, db: mongo.db, log, tuning: opts.tuning ?? FAST };
  const running: Stoppable[] = [];
  const start = async (role: Exclude<Role, 'api'>) => {
    const starter = { processor: startProcessorRole, projector: startProjectorRole, scheduler: startSchedulerRole }[role];
    const stoppable = await starter(deps);
    running.push(stoppable);
    return stoppable;
  };
  for (const role of opts.roles ?? ['processor', 'projector']) await start(role);
  const app = await createApiApp(deps);
  running.push(app);
  return {
    server,
    mongo,
    nats,
    topology,
    app,
    deps,
    start,
    async stop() {
      for (const s of running.reverse()) await s.stop().catch(() => undefined);
      await nats.nc.close();
      await mongo.drop();
      await server.stop();
    },
  };
}

export const user = (sub: string): Principal => ({ sub, admin: false });
export const admin: Principal = { sub: 'root', admin: true };
