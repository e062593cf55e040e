import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import { createNatsLiveBus } from '../../src/infra/nats/live-bus.js';
import type { LiveBus } from '../../src/ports.js';
import { type TestNats, startTestNats } from '../support/nats.js';
import { waitFor } from '../support/wait.js';

/** Subscriptions the client holds at the server (nats.js keeps no public count of them). */
const subscriptionsOf = (nats: Nats): number => (nats.nc as unknown as { protocol: { subscriptions: { size(): number } } }).protocol.subscriptions.size();

describe('live notifications on core NATS', () => {
  let server: TestNats;
  let nats: Nats;
  let live: LiveBus;
  beforeAll(async () => {
    server = await startTestNats();
    nats = await connectNats(server.url, 'live-bus-test');
    live = createNatsLiveBus(nats.nc);
  });
  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
  });

  it('delivers to a subscriber until it leaves, then holds nothing for it', async () => {
    const before = subscriptionsOf(nats);
    const controller = new AbortController();
    const updates = await live.subscribe({ kind: 'wallet', walletId: 'w1' }, controller.signal);
    expect(subscriptionsOf(nats)).toBe(before + 1);
    await live.publish([{ kind: 'wallet', walletId: 'w1', version: 3 }]);
    const first = await updates[Symbol.asyncIterator]().next();
    expect(first.value).toEqual({ kind: 'wallet', walletId: 'w1', version: 3 });
    controller.abort();
    await waitFor(() => subscriptionsOf(nats) === before, { message: 'the subscription to be released' });
  });

  it('does not subscribe at all for a client that already left', async () => {
    const before = subscriptionsOf(nats);
    const updates = await live.subscribe({ kind: 'balance', walletId: 'w2' }, AbortSignal.abort());
    expect(subscriptionsOf(nats)).toBe(before);
    expect(await updates[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
  });
});
