/** A fresh database per call on the run's MongoDB (chosen once in global-setup.ts). */
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';

export type TestDatabase = {
  readonly uri: string;
  readonly dbName: string;
  readonly client: MongoClient;
  readonly db: Db;
  /** 'external', 'mongodb-memory-server' or 'jongodb'. */
  readonly engine: string;
  /** Drops the database where the engine can (jongodb cannot: its data dies with the run) and closes the client. */
  drop(): Promise<void>;
};

let counter = 0;

export async function testDatabase(): Promise<TestDatabase> {
  const uri = inject('mongoUri');
  const engine = inject('mongoEngine');
  const dbName = `t_${process.pid}_${++counter}_${randomBytes(4).toString('hex')}`;
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const db = client.db(dbName);
  return {
    uri,
    dbName,
    client,
    db,
    engine,
    drop: async () => {
      try {
        await db.dropDatabase();
      } catch (error) {
        // 59 CommandNotFound: jongodb has no dropDatabase; names are unique per call, so nothing leaks into other tests.
        if ((error as { code?: unknown }).code !== 59) throw error;
      } finally {
        await client.close();
      }
    },
  };
}
