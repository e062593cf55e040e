import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export type ChildRole = {
  readonly pid: number;
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** What the process wrote (stdout and stderr, the last 64 kB): its logs, with TEST_LOG_LEVEL set. */
  output(): string;
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a process that is paused, not dead. */
  pause(): void;
  resume(): void;
};

/** Starts roles in a child process and resolves when they are consuming. */
export async function spawnRoles(roles: string, env: Record<string, string>): Promise<ChildRole> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/role-main.ts'], {
    env: { ...process.env, ...env, ROLES: roles },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk).slice(-65_536));
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);
  // CHILD_LOGS=1 shows the child's logs (set TEST_LOG_LEVEL too) when a crash test needs explaining.
  if (process.env.CHILD_LOGS) child.stdout?.on('data', (chunk) => process.stderr.write(chunk));
  const exited = once(child, 'exit').then(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${roles} did not start in time: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${roles} exited with ${code}: ${output}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  };
  return {
    pid: child.pid as number,
    exited,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    output: () => output,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
}
