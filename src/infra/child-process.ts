/** Lifetime of the servers we run as child processes (nats-server, mongod, jongodb). */
import type { ChildProcess } from 'node:child_process';

/** Signals the child and waits for it to exit; one that ignores the signal too long is killed: stop() must end. */
export async function terminate(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The child must not outlive this process, also when it exits without stopping it; returns the undo. */
export function killWithParent(child: ChildProcess): () => void {
  const hook = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', hook);
  return () => process.removeListener('exit', hook);
}
