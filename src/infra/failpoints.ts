/**
 * Crash points for crash tests, off unless `JETLEDGER_FAILPOINTS` names them:
 * - `projector.after-write=3` SIGKILLs this process the third time the projector reaches that
 *   point: no cleanup, no drain, exactly what a crash looks like to NATS and MongoDB;
 * - `projector.before-write=delay:300` holds every pass there for 300 ms, so a test can pause the
 *   process (SIGSTOP) while it has a batch in hand.
 * Unset (always, outside tests) a failpoint costs one map lookup.
 */
type Action = { kill: number } | { delayMs: number };

const actions = new Map<string, Action>();
for (const item of (process.env.JETLEDGER_FAILPOINTS ?? '').split(',')) {
  const [name, spec = '1'] = item.split('=');
  if (!name?.trim()) continue;
  const delay = /^delay:(\d+)$/.exec(spec.trim());
  actions.set(name.trim(), delay ? { delayMs: Number(delay[1]) } : { kill: Math.max(1, Number(spec) || 1) });
}
const hits = new Map<string, number>();

export function failpoint(name: string): void | Promise<void> {
  const action = actions.get(name);
  if (action === undefined) return;
  if ('delayMs' in action) return new Promise((resolve) => setTimeout(resolve, action.delayMs));
  const hit = (hits.get(name) ?? 0) + 1;
  hits.set(name, hit);
  if (hit === action.kill) process.kill(process.pid, 'SIGKILL');
}
