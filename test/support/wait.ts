/**
 * Waiting for a condition with a deadline: the only way tests synchronise with asynchronous
 * roles (no sleeps). A failure says what was awaited and what was last seen.
 */
export type WaitOptions = { timeoutMs?: number; intervalMs?: number; message?: string };

/** Polls until `probe` returns a truthy value and resolves with it; a throw counts as "not yet". */
export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  return poll(async () => {
    const value = await probe();
    if (value) return { done: true, value: value as NonNullable<T> };
    return { done: false, last: `last value: ${describe(value)}` };
  }, opts);
}

/** Polls until `assertion` stops throwing (e.g. a block of `expect`s) and resolves with its result. */
export async function waitUntil<T>(assertion: () => T | Promise<T>, opts: WaitOptions = {}): Promise<T> {
  return poll(async () => ({ done: true, value: await assertion() }), opts);
}

type Attempt<T> = { done: true; value: T } | { done: false; last: string };

async function poll<T>(attempt: () => Promise<Attempt<T>>, opts: WaitOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last = 'never attempted';
  let lastError: unknown;
  for (;;) {
    try {
      const result = await attempt();
      if (result.done) return result.value;
      last = result.last;
      lastError = undefined;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : describe(error)}`;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = opts.message ?? 'condition';
      throw new Error(`waited ${timeoutMs} ms for ${what}; ${last}`, lastError === undefined ? undefined : { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
