/**
 * Runs a task again and again, `intervalMs` after the previous run ended: a chain, never an
 * interval. A run slowed down by its dependencies (MongoDB, NATS) delays the next one instead of
 * letting runs pile up behind it, and two runs never overlap.
 */
export type Repeating = { stop(): Promise<void> };

export function repeat(task: () => Promise<unknown>, intervalMs: number | (() => number), onError: (error: unknown) => void, firstDelayMs = 0): Repeating {
  const delay = typeof intervalMs === 'number' ? () => intervalMs : intervalMs;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      running = task()
        .then(() => undefined, onError)
        .finally(() => {
          if (!stopped) schedule(delay());
        });
    }, ms);
  };
  schedule(firstDelayMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
