/**
 * Decides the MongoDB engine once per test run: MONGODB_URI when set, else mongodb-memory-server,
 * else jongodb. Deciding per file would pay mongodb-memory-server's offline failure in every file.
 * NATS is not started here: each integration test starts its own server (see ./nats.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveMongoUri } from '../../src/infra/mongo/embedded-mongo.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    /** 'external' (MONGODB_URI), 'mongodb-memory-server' or 'jongodb': lets a test skip what jongodb lacks. */
    mongoEngine: string;
  }
}

const log = (obj: object, msg?: string) => console.log(`[global-setup] ${msg ?? ''}`, JSON.stringify(obj));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jetledger-test-mongo-'));
  const mongo = await resolveMongoUri(process.env, { dataDir, logger: { info: log, warn: log } });
  console.log(`[global-setup] MongoDB engine: ${mongo.engine}`);
  project.provide('mongoUri', mongo.uri);
  project.provide('mongoEngine', mongo.engine);
  return async () => {
    await mongo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
