import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export type ChildRole = { readonly pid: number; kill(): Promise<void>; stop(): Promise<void> };

/** Starts roles in a child process and resolves when they are consuming. */
export async function spawnRoles(roles: string, env: Record<string, string>): Promise<ChildRole> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/role-main.ts'], {
    env: { ...process.env, ...env, ROLES: roles },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  // CHILD_LOGS=1 shows the child's logs (set TEST_LOG_LEVEL too) when a crash test needs explaining.
  if (process.env.CHILD_LOGS) child.stdout?.on('data', (chunk) => process.stderr.write(chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${roles} did not start in time: ${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${roles} exited with ${code}: ${stderr}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  return { pid: child.pid as number, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
