/**
 * `jetledger status [--json]`: what an operator looks at when reads seem stale. Per projection
 * shard: who holds its lease and since when, the fencing epoch, the checkpoint, the shard's last
 * journal event and how many of its events the read models do not show yet.
 */
import { parseArgs } from 'node:util';
import type { Db } from 'mongodb';
import { allShards } from '../app/sharding.js';
import { loadConfig } from '../config.js';
import { createMongoProjectionStore } from '../infra/mongo/projection-store.js';
import type { Nats } from '../infra/nats/connection.js';
import { journalExtent } from '../infra/nats/journal-reader.js';
import { createNatsLeaseStore } from '../infra/nats/leases.js';
import { readTopology } from '../infra/nats/streams.js';
import { projectionLag } from '../infra/projection-lag.js';
import type { ShardId } from '../ports.js';
import { connectStores, count } from './connect.js';

export type ShardStatus = Readonly<{
  shard: ShardId;
  owner: string | null;
  /** Seconds since the lease was last renewed; null when no one holds it. */
  leaseAgeS: number | null;
  epoch: number | null;
  checkpoint: number;
  lastSeq: number;
  lag: number;
}>;

export type Status = Readonly<{
  shards: number;
  leaseTtlMs: number;
  journalLastSeq: number;
  projectors: string[];
  rows: ShardStatus[];
}>;

export async function projectionStatus({ nats, db }: { nats: Nats; db: Db }): Promise<Status> {
  const topology = await readTopology(nats.nc);
  const shards = allShards(topology);
  const leases = await createNatsLeaseStore(nats.nc, shards);
  const [holders, instances, lags, extent] = await Promise.all([
    leases.holders(),
    leases.instances(),
    projectionLag(nats.jsm, await createMongoProjectionStore(db, topology), topology),
    journalExtent(nats.jsm),
  ]);
  const now = Date.now();
  const rows = lags.map(({ shard, epoch, checkpoint, lastSeq, pending }): ShardStatus => {
    const holder = holders.get(shard);
    return {
      shard,
      owner: holder?.owner ?? null,
      leaseAgeS: holder ? Math.max(0, (now - holder.renewedAt.getTime()) / 1_000) : null,
      epoch,
      checkpoint,
      lastSeq,
      lag: pending,
    };
  });
  return { shards: topology.shards, leaseTtlMs: topology.leaseTtlMs, journalLastSeq: extent.last, projectors: instances.map((i) => i.owner).sort(), rows };
}

export async function statusCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const stores = await connectStores(loadConfig(), 'status');
  try {
    const status = await projectionStatus(stores);
    console.log(values.json ? JSON.stringify(status, null, 2) : render(status).join('\n'));
    return 0;
  } finally {
    await stores.close();
  }
}

function render(status: Status): string[] {
  const lag = status.rows.reduce((sum, r) => sum + r.lag, 0);
  const unowned = status.rows.filter((r) => r.owner === null).length;
  const header = ['shard', 'owner', 'lease', 'epoch', 'checkpoint', 'last event', 'lag'];
  const table = status.rows.map((r) => [
    r.shard,
    r.owner ?? '-',
    r.leaseAgeS === null ? 'free' : `renewed ${r.leaseAgeS.toFixed(1)} s ago`,
    r.epoch === null ? '-' : String(r.epoch),
    count(r.checkpoint),
    count(r.lastSeq),
    count(r.lag),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [
    `journal: ${status.shards} wallet shards + assets, last seq ${count(status.journalLastSeq)}; lease TTL ${status.leaseTtlMs / 1_000} s`,
    `projectors: ${status.projectors.length === 0 ? 'none running' : `${status.projectors.length} (${status.projectors.join(', ')})`}`,
    '',
    line(header),
    ...table.map(line),
    '',
    `lag: ${count(lag)} event(s) not projected yet${unowned > 0 ? `; ${unowned} shard(s) without a projector` : ''}`,
  ];
}
