/**
 * What the operator commands work on: the journal and read models of a JetLedger that runs (or
 * ran) elsewhere. The embedded servers of `jetledger start` live and die with that process, so
 * these commands never start their own: they need the addresses.
 */
import { type Db, MongoClient } from 'mongodb';
import { type Config, ConfigError } from '../config.js';
import { type Nats, connectNats } from '../infra/nats/connection.js';

export type Stores = Readonly<{ nats: Nats; client: MongoClient; db: Db; close(): Promise<void> }>;

export async function connectStores(config: Config, command: string): Promise<Stores> {
  if (!config.NATS_URL || !config.MONGODB_URI) {
    throw new ConfigError(
      `jetledger ${command} works on the journal and read models of a JetLedger deployment: set NATS_URL and MONGODB_URI ` +
        '(and MONGODB_DB unless it is "jetledger"); `jetledger start` logs the URLs of its embedded servers',
    );
  }
  const nats = await connectNats(config.NATS_URL, `jetledger-${command}`);
  let client: MongoClient;
  try {
    client = await MongoClient.connect(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  } catch (error) {
    await nats.nc.close();
    throw error;
  }
  return {
    nats,
    client,
    db: client.db(config.MONGODB_DB),
    close: async () => {
      await client.close();
      await nats.nc.close();
    },
  };
}

export const count = (n: number): string => n.toLocaleString('en-US');
