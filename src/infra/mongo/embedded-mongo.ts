/**
 * MongoDB for a fresh machine (MONGODB_URI unset) and for tests: a real mongod through
 * mongodb-memory-server where one can be had, else the jongodb wire-compatible engine.
 * Read models are rebuilt from the journal, so an in-memory store is acceptable here.
 *
 * jongodb gaps (0.1.6, checked with the mongodb 6 driver): no $max/$min/$push/$pull, no
 * pipeline expressions in updates, no find projection (ignored), no drop/dropDatabase/
 * listCollections, Decimal128 sorts as text and $inc on it yields a double, and a bulkWrite
 * (ordered or not) with one duplicate key fails whole with a top-level E11000 and no writeErrors.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as tcpConnect } from 'node:net';
import { lookup } from 'node:dns/promises';
import { dirname, join } from 'node:path';
import { killWithParent, terminate } from '../child-process.js';

type Log = (obj: object, msg?: string) => void;
export type EmbeddedLogger = { info: Log; warn: Log };

export type MongoEngine = 'mongodb-memory-server' | 'jongodb';

export type EmbeddedMongo = Readonly<{ uri: string; engine: MongoEngine; stop(): Promise<void> }>;

export type StartMongoOptions = {
  dataDir: string;
  logger?: EmbeddedLogger;
  /** Skip the mongod attempt (tests of the fallback, or a machine known to have none). */
  engine?: MongoEngine | 'auto';
};

const JONGODB_PACKAGE = '@jongodb/memory-server-bin-linux-x64-gnu';
const DEFAULT_DOWNLOAD_HOST = 'fastdl.mongodb.org';
const NETWORK_PROBE_MS = 1_500;

export async function startEmbeddedMongo(opts: StartMongoOptions): Promise<EmbeddedMongo> {
  const engine = opts.engine ?? 'auto';
  if (engine !== 'jongodb') {
    const reason = await mongodUnavailable();
    if (reason === null) {
      try {
        return await startMongoMemoryServer(opts);
      } catch (error) {
        if (engine === 'mongodb-memory-server') throw error;
        opts.logger?.warn({ err: error }, 'mongodb-memory-server failed to start; falling back to jongodb');
      }
    } else {
      if (engine === 'mongodb-memory-server') throw new Error(`mongodb-memory-server cannot run: ${reason}`);
      opts.logger?.info({ reason }, 'no mongod available; using jongodb');
    }
  }
  return startJongodb(opts);
}

/** MONGODB_URI when set (stop is a no-op: not ours to stop), else an embedded engine. */
export async function resolveMongoUri(
  env: Readonly<Record<string, string | undefined>>,
  opts: StartMongoOptions,
): Promise<Readonly<{ uri: string; engine: MongoEngine | 'external'; stop(): Promise<void> }>> {
  const external = env.MONGODB_URI?.trim();
  if (external) return { uri: external, engine: 'external', stop: async () => undefined };
  return startEmbeddedMongo(opts);
}

// ---------------------------------------------------------------- mongodb-memory-server

/**
 * Why mongodb-memory-server would fail, decided in well under two seconds: offline, its
 * download of a missing mongod retries for ~7 s before giving up. Null when worth trying.
 */
async function mongodUnavailable(): Promise<string | null> {
  const { DryMongoBinary } = await import('mongodb-memory-server');
  try {
    if (await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions())) return null;
  } catch (error) {
    return `MONGOMS_SYSTEM_BINARY unusable (${(error as Error).message})`;
  }
  if (/^(0|false|no|off)$/i.test(process.env.MONGOMS_RUNTIME_DOWNLOAD ?? '')) return 'no cached mongod and runtime download disabled';
  // Behind a proxy a direct probe says nothing: let the download try.
  if (process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy) return null;
  const host = downloadHost();
  try {
    await withTimeout(reachable(host, 443), NETWORK_PROBE_MS);
    return null;
  } catch (error) {
    return `no cached mongod and ${host} unreachable (${(error as Error).message})`;
  }
}

function downloadHost(): string {
  const mirror = process.env.MONGOMS_DOWNLOAD_URL ?? process.env.MONGOMS_DOWNLOAD_MIRROR;
  if (!mirror) return DEFAULT_DOWNLOAD_HOST;
  try {
    return new URL(mirror).hostname;
  } catch {
    return DEFAULT_DOWNLOAD_HOST;
  }
}

async function reachable(host: string, port: number): Promise<void> {
  const { address } = await lookup(host);
  await new Promise<void>((resolve, reject) => {
    const socket = tcpConnect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
    socket.setTimeout(NETWORK_PROBE_MS, () => socket.destroy(new Error('connect timeout')));
  });
}

async function startMongoMemoryServer(opts: StartMongoOptions): Promise<EmbeddedMongo> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const dbPath = join(opts.dataDir, 'mongodb');
  mkdirSync(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({ instance: { dbPath, ip: '127.0.0.1', storageEngine: 'wiredTiger' } });
  const uri = server.getUri();
  opts.logger?.info({ engine: 'mongodb-memory-server', uri, dbPath }, 'embedded MongoDB started (mongod)');
  return {
    uri,
    engine: 'mongodb-memory-server',
    // doCleanup false: the data under DATA_DIR is meant to survive a restart.
    stop: async () => {
      await server.stop({ doCleanup: false });
    },
  };
}

// ---------------------------------------------------------------- jongodb

export function jongodbBinary(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve(`${JONGODB_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `No MongoDB available: no mongod could be found or downloaded, and the fallback ${JONGODB_PACKAGE} is not ` +
        'installed (it exists for linux x64 glibc only). Set MONGODB_URI to a MongoDB server, e.g. ' +
        '`docker run -p 27017:27017 mongo` and MONGODB_URI=mongodb://127.0.0.1:27017.',
    );
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { jongodb?: { binary?: string } };
  return join(dirname(manifest), pkg.jongodb?.binary ?? 'bin/jongodb');
}

async function startJongodb(opts: StartMongoOptions): Promise<EmbeddedMongo> {
  const binary = jongodbBinary();
  // Port 0: jongodb binds a free port itself and reports it, so there is no probe-then-bind race.
  const child = spawn(binary, ['--host=127.0.0.1', '--port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const untie = killWithParent(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const printed = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_192);
      const match = /JONGODB_URI=(\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    void exited.then(() => reject(new Error(`jongodb exited during start (code ${child.exitCode}):\n${output.trim()}`)));
  });
  let uri: string;
  try {
    uri = withoutDatabase(await withTimeout(printed, 15_000));
  } catch (error) {
    await terminate(child, exited);
    untie();
    throw new Error(`jongodb did not start: ${(error as Error).message}`, { cause: error });
  }
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  opts.logger?.info({ engine: 'jongodb', uri }, 'embedded MongoDB started (jongodb, in memory)');
  return {
    uri,
    engine: 'jongodb',
    stop: async () => {
      await terminate(child, exited);
      untie();
    },
  };
}

/** jongodb prints `.../test`; the database is chosen by MONGODB_DB, not by the URI. */
function withoutDatabase(uri: string): string {
  const url = new URL(uri);
  url.pathname = '/';
  return url.toString();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
