/**
 * A nats-server child process with JetStream, for a fresh machine (NATS_URL unset) and for tests.
 * It is the real server, not a fake: what runs here behaves like production, minus clustering.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { connect } from 'nats';
import { killWithParent, terminate } from '../child-process.js';

type Log = (obj: object, msg?: string) => void;
export type EmbeddedLogger = { info: Log; warn: Log };

export type EmbeddedNats = Readonly<{
  url: string;
  port: number;
  /** Graceful: SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, then waits for the process to exit. */
  kill(): Promise<void>;
}>;

export type StartNatsOptions = {
  storeDir: string;
  /** 4222 when omitted; 0 means any free port. */
  port?: number;
  /** When the requested port is taken, use a free one instead (default). Off for a restart that must keep its URL. */
  portFallback?: boolean;
  binary?: string;
  logger?: EmbeddedLogger;
  readyTimeoutMs?: number;
};

const HOST = '127.0.0.1';
const DEFAULT_PORT = 4222;
const FALLBACK_LOCATIONS = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/opt/homebrew/bin/nats-server'];

export class NatsServerNotFoundError extends Error {
  constructor(tried: string) {
    super(
      `nats-server was not found (looked for ${tried}). JetLedger needs it to run NATS JetStream locally. Install it:\n` +
        '  Debian/Ubuntu: sudo apt-get install nats-server\n' +
        '  macOS:         brew install nats-server\n' +
        '  Docker:        docker run -p 4222:4222 nats -js   (then set NATS_URL=nats://127.0.0.1:4222)\n' +
        'or point NATS_SERVER_BIN at the binary, or set NATS_URL to an existing server.',
    );
    this.name = 'NatsServerNotFoundError';
  }
}

export async function startNatsServer(opts: StartNatsOptions): Promise<EmbeddedNats> {
  const binary = resolveBinary(opts.binary ?? process.env.NATS_SERVER_BIN ?? 'nats-server');
  mkdirSync(opts.storeDir, { recursive: true });
  const requested = opts.port ?? DEFAULT_PORT;
  const fallback = opts.portFallback ?? true;

  let port = requested === 0 ? await freePort() : requested;
  if (requested !== 0 && fallback && !(await portIsFree(port))) {
    const taken = port;
    port = await freePort();
    opts.logger?.info({ taken, port }, 'NATS port taken, using a free one');
  }

  // Between probing a free port and the server binding it another process may take it: try again then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(binary, port, opts);
    } catch (error) {
      const portRace = error instanceof EarlyExitError && /address already in use/i.test(error.output);
      if (!portRace || !fallback || attempt >= 3) throw error;
      port = await freePort();
    }
  }
}

class EarlyExitError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'EarlyExitError';
  }
}

async function launch(binary: string, port: number, opts: StartNatsOptions): Promise<EmbeddedNats> {
  const args = ['-js', '-sd', opts.storeDir, '-a', HOST, '-p', String(port)];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tailBuffer(8_192);
  child.stdout?.on('data', output.push);
  child.stderr?.on('data', output.push);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new NatsServerNotFoundError(binary) : error),
    ),
  );
  spawnError.catch(() => undefined);
  const untieFromParent = killWithParent(child);
  // A forgotten stop() must not keep the parent alive; the exit hook still kills the child.
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  const url = `nats://${HOST}:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  try {
    await Promise.race([
      spawnError,
      exited.then(() => {
        throw new EarlyExitError(
          `nats-server exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${output.text()}`,
          output.text(),
        );
      }),
      waitReady(url, port, deadline, {
        gone: () => child.exitCode !== null || child.signalCode !== null,
        // Our own child's word, so another server already on a fixed port is not mistaken for it.
        saidReady: () => output.seen('Server is ready'),
      }),
    ]);
  } catch (error) {
    await terminate(child, exited, 'SIGKILL');
    untieFromParent();
    if (error instanceof Error && error.message.startsWith('timeout')) {
      throw new Error(`nats-server did not become ready at ${url}: ${error.message}\n${output.text()}`, { cause: error });
    }
    throw error;
  }
  opts.logger?.info({ url, storeDir: opts.storeDir, pid: child.pid }, 'embedded nats-server started');

  const stopWith = (signal: NodeJS.Signals) => async () => {
    await terminate(child, exited, signal);
    untieFromParent();
  };
  return { url, port, stop: stopWith('SIGTERM'), kill: stopWith('SIGKILL') };
}

type ChildState = { gone(): boolean; saidReady(): boolean };

/** Ready means: the server logged it is ready, the port accepts connections and the JetStream API answers. */
async function waitReady(url: string, port: number, deadline: number, child: ChildState): Promise<void> {
  let last: unknown;
  while (!child.gone()) {
    if (Date.now() > deadline) throw new Error(`timeout; last error: ${String(last)}`);
    try {
      if (!child.saidReady()) throw new Error('no "Server is ready" in its log yet');
      await tcpProbe(port);
      const nc = await connect({ servers: url, reconnect: false, timeout: 1_000 });
      try {
        await (await nc.jetstreamManager({ timeout: 1_000 })).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  // The exit branch of the race reports the reason.
  await new Promise(() => undefined);
}

function tcpProbe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: HOST, port });
    socket.setTimeout(500, () => socket.destroy(new Error('tcp connect timeout')));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function resolveBinary(name: string): string {
  if (name.includes('/')) {
    if (isExecutable(name)) return name;
    throw new NatsServerNotFoundError(name);
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const candidate of [...dirs.map((dir) => join(dir, name)), ...FALLBACK_LOCATIONS]) {
    if (candidate.endsWith(`/${name}`) && isExecutable(candidate)) return candidate;
  }
  throw new NatsServerNotFoundError(`${name} on PATH and in ${FALLBACK_LOCATIONS.join(', ')}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** The last `limit` characters of the output, and whether a phrase ever appeared in it. */
function tailBuffer(limit: number) {
  let text = '';
  const seen = new Set<string>();
  return {
    push: (chunk: Buffer | string) => {
      text = (text + chunk.toString()).slice(-limit);
    },
    text: () => text.trim(),
    seen: (phrase: string) => {
      if (!seen.has(phrase) && text.includes(phrase)) seen.add(phrase);
      return seen.has(phrase);
    },
  };
}
