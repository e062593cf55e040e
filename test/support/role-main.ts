/**
 * Entry point of a role running in its own process, for crash tests: the parent SIGKILLs it at a
 * chosen moment, which is what "stop without draining" means to JetStream and MongoDB. SIGTERM
 * stops the roles cleanly (a projector hands its shard leases back).
 */
import { MongoClient } from 'mongodb';
import { connectNats } from '../../src/infra/nats/connection.js';
import { ensureStreams } from '../../src/infra/nats/streams.js';
import { createLogger } from '../../src/logger.js';
import { type Role, type Stoppable, startProcessorRole, startProjectorRole, startSchedulerRole } from '../../src/roles.js';

const env = process.env;
const roles = (env.ROLES ?? 'processor').split(',') as Exclude<Role, 'api'>[];
const nats = await connectNats(env.NATS_URL as string, `child:${roles.join(',')}`);
const topology = await ensureStreams(nats.nc, nats.jsm, { leaseTtlMs: Number(env.LEASE_TTL_MS ?? 2_000) });
const db = env.MONGODB_URI ? (await MongoClient.connect(env.MONGODB_URI)).db(env.MONGODB_DB) : null;
const log = createLogger(env.TEST_LOG_LEVEL ?? 'silent');
const tuning = { ackWaitMs: Number(env.ACK_WAIT_MS ?? 2_000), schedulerIntervalMs: 100, maxDeliver: 5, leasePollMs: 100, snapshotEvery: 10 };
const running: Stoppable[] = [];
for (const role of roles) {
  const start = { processor: startProcessorRole, projector: startProjectorRole, scheduler: startSchedulerRole }[role];
  running.push(await start({ nats, topology, db, log, tuning }));
}
process.once('SIGTERM', () => {
  void (async () => {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    process.exit(0);
  })();
});
process.stdout.write('READY\n');
