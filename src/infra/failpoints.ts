/**
 * Crash points for crash tests, off unless `JETLEDGER_FAILPOINTS` names them:
 * `JETLEDGER_FAILPOINTS=projector.after-write=3` SIGKILLs this process the third time the
 * projector reaches that point: no cleanup, no drain, exactly what a crash looks like to NATS and
 * MongoDB. Unset (always, outside tests) a failpoint costs one map lookup.
 */
const targets = new Map<string, number>();
for (const item of (process.env.JETLEDGER_FAILPOINTS ?? '').split(',')) {
  const [name, hit] = item.split('=');
  if (name?.trim()) targets.set(name.trim(), Math.max(1, Number(hit ?? 1) || 1));
}
const hits = new Map<string, number>();

export function failpoint(name: string): void {
  const target = targets.get(name);
  if (target === undefined) return;
  const hit = (hits.get(name) ?? 0) + 1;
  hits.set(name, hit);
  if (hit === target) process.kill(process.pid, 'SIGKILL');
}
