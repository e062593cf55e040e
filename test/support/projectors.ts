/** Projector processes around a test stack, and what the lease bucket and checkpoints say of them. */
import { allShards } from '../../src/app/sharding.js';
import { runVerification } from '../../src/commands/verify.js';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import { createNatsLeaseStore } from '../../src/infra/nats/leases.js';
import { projectionLag, totalLag } from '../../src/infra/projection-lag.js';
import type { ShardId } from '../../src/ports.js';
import { type ChildRole, spawnRoles } from './child-role.js';
import { TEST_LEASE_TTL_MS, type TestStack } from './stack.js';

export type ProjectorsOf = ReturnType<typeof projectorsOf>;

export function projectorsOf(stack: TestStack) {
  const children: ChildRole[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    NATS_URL: stack.server.url,
    MONGODB_URI: stack.mongo.uri,
    MONGODB_DB: stack.mongo.dbName,
    LEASE_TTL_MS: String(TEST_LEASE_TTL_MS),
    ...extra,
  });
  return {
    children,
    async spawn(roles = 'projector', extra: Record<string, string> = {}): Promise<ChildRole> {
      const child = await spawnRoles(roles, env(extra));
      children.push(child);
      return child;
    },
    /** Shard → pid of the process holding its lease (owner ids are `<host>-<pid>-<random>`). */
    async owners(): Promise<Map<ShardId, number>> {
      const leases = await createNatsLeaseStore(stack.nats.nc, allShards(stack.topology));
      const holders = await leases.holders();
      return new Map([...holders].map(([shard, h]) => [shard, h.pid]));
    },
    async lag(): Promise<number> {
      return totalLag(await projectionLag(stack.nats.jsm, await createMongoProjectionStore(stack.mongo.db, stack.topology), stack.topology));
    },
    /** Problems `jetledger verify` finds; [] when the read models equal a replay of the journal. */
    async verify(atRest = true): Promise<string[]> {
      return (await runVerification({ nats: stack.nats, client: stack.mongo.client, db: stack.mongo.db, atRest })).problems;
    },
    async killAll(): Promise<void> {
      for (const child of children) await child.kill();
    },
  };
}
