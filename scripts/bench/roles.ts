/**
 * JetLedger roles as separate processes, started exactly as an operator would
 * (`node --import tsx src/cli.ts start --roles X`), so each has its own measurable memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export type RoleProcess = Readonly<{
  role: string;
  pid: number;
  /** The GraphQL endpoint, for the api role. */
  url: string | null;
  stop(): Promise<void>;
  /** SIGKILL: a crash, no cleanup. */
  kill(): Promise<void>;
}>;

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** Children still running when the bench itself exits (a crash, Ctrl-C) are killed with it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export async function startRole(role: string, cwd: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<RoleProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli.ts', 'start', '--roles', role], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = once(child, 'exit').then(() => void live.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-8_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`role ${role} not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
      const check = () => {
        // main.ts logs this once every requested role is consuming (and the api listening).
        if (output.includes('"msg":"JetLedger started"') && (role !== 'api' || /Graph(?:i)?QL at \S+/.test(output))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`role ${role} exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${output}`));
      });
    });
  } catch (error) {
    await end('SIGKILL');
    throw error;
  }
  child.stdout?.removeAllListeners('data');
  child.stdout?.on('data', keep);

  return {
    role,
    pid: child.pid as number,
    url: /Graph(?:i)?QL at (\S+)/.exec(output)?.[1] ?? null,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
