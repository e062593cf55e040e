import { describe, expect, it } from 'vitest';
import { SubscriberTooSlowError, createAsyncQueue } from '../../../src/app/async-queue.js';

describe('the async queue behind every live subscription', () => {
  it('hands over what was pushed, in order, and ends when its signal aborts', async () => {
    const controller = new AbortController();
    const queue = createAsyncQueue<number>(controller.signal, 10);
    queue.push(1);
    queue.push(2);
    const seen: number[] = [];
    for await (const n of queue) {
      seen.push(n);
      if (n === 2) setTimeout(() => queue.push(3));
      if (n === 3) controller.abort();
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('ends a consumer that falls too far behind with a clear error, and holds nothing more for it', async () => {
    const queue = createAsyncQueue<number>(new AbortController().signal, 100);
    for (let n = 0; n < 101; n++) queue.push(n);
    const iterator = queue[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBeInstanceOf(SubscriberTooSlowError);
    // Nothing is kept after the overflow: later pushes are dropped, not buffered.
    for (let n = 0; n < 1_000; n++) queue.push(n);
    await expect(queue[Symbol.asyncIterator]().next()).rejects.toThrow(/fell 100 updates behind/);
  });

  it('keeps up with a consumer that keeps up, however many values pass through', async () => {
    const queue = createAsyncQueue<number>(new AbortController().signal, 5);
    const iterator = queue[Symbol.asyncIterator]();
    for (let n = 0; n < 1_000; n++) {
      queue.push(n);
      expect((await iterator.next()).value).toBe(n);
    }
  });
});
