/** The facts a reader needs to compare one bench run with another. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { MongoClient } from 'mongodb';

function natsServerVersion(): string {
  for (const binary of [process.env.NATS_SERVER_BIN, 'nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server']) {
    if (!binary) continue;
    try {
      return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 5_000 }).trim().replace(/^nats-server:\s*/, '');
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

async function mongoVersion(uri: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.version === 'string' ? info.version : 'unknown';
  } catch {
    return 'unknown';
  } finally {
    await client.close();
  }
}

export async function environmentLine(mongo: { engine: string; uri: string }): Promise<string> {
  const cpu = cpus();
  const model = cpu[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown cpu';
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return [
    `node ${process.version}`,
    `nats-server ${natsServerVersion()}`,
    `mongo: ${mongo.engine} (reports ${await mongoVersion(mongo.uri)})`,
    `${cpu.length} cores (${model})`,
    `load avg at start ${load}`,
  ].join(' | ');
}
