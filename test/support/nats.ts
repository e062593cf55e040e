/** A private nats-server per test file: a free port, a temp store, and restart for crash tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type EmbeddedNats } from '../../src/infra/nats/embedded-server.js';

export type TestNats = {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops the server and removes its store. */
  stop(): Promise<void>;
  /** SIGKILL, store kept: a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same store (stopping first if still running); clients reconnect to `url`. */
  restart(how?: { kill?: boolean }): Promise<void>;
};

export async function startTestNats(): Promise<TestNats> {
  const storeDir = await mkdtemp(join(tmpdir(), 'jetledger-test-nats-'));
  let server: EmbeddedNats | null = await startNatsServer({ storeDir, port: 0 });
  const { url, port } = server;

  const halt = async (kind: 'stop' | 'kill') => {
    const running = server;
    server = null;
    await running?.[kind]();
  };
  return {
    url,
    port,
    storeDir,
    stop: async () => {
      await halt('stop');
      await rm(storeDir, { recursive: true, force: true });
    },
    kill: () => halt('kill'),
    restart: async (how) => {
      await halt(how?.kill ? 'kill' : 'stop');
      server = await startNatsServer({ storeDir, port, portFallback: false });
    },
  };
}
