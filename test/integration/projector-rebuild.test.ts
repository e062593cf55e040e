import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoReadStore, readModelSnapshot } from '../../src/infra/mongo/read-store.js';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import { projectionLag, totalLag } from '../../src/infra/projection-lag.js';
import { type Stoppable, startProjectorRole } from '../../src/roles.js';
import { countOnSubject, readJournal } from '../support/journal.js';
import { type TestDatabase, testDatabase } from '../support/mongo.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('the projector', () => {
  let stack: TestStack;
  let fresh: TestDatabase;
  let first: Stoppable;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor'] });
    first = await stack.start('projector');
    fresh = await testDatabase();
  });
  afterAll(async () => {
    await fresh?.drop();
    await stack?.stop();
  });

  it('rebuilds every read model from sequence 1 into an empty database: its checkpoints are the only position that counts', async () => {
    const alice = user('alice');
    const { walletId } = await stack.app.submit({ principal: alice, command: { type: 'CreateWallet', data: { name: 'w' } }, consistency: 'PROJECTED' });
    for (const amount of ['1', '2.5', '0.125']) {
      await stack.app.submit({ principal: alice, command: { type: 'Deposit', data: { walletId: walletId as string, asset: 'ETH', amount } }, consistency: 'PROJECTED' });
    }
    const journalLength = (await readJournal(stack.nats)).length;
    const caughtUp = async (db: TestDatabase['db']) => totalLag(await projectionLag(stack.nats.jsm, await createMongoProjectionStore(db, stack.topology), stack.topology)) === 0;
    await waitFor(() => caughtUp(stack.mongo.db), { message: 'the first projector never caught up' });
    // Stopped, it hands its shard leases back at once.
    await first.stop();

    const second = await startProjectorRole({ ...stack.deps, db: fresh.db });
    try {
      const store = await createMongoReadStore(fresh.db, stack.topology);
      await waitFor(() => caughtUp(fresh.db), { message: 'the empty database was not rebuilt' });
      const projection = await createMongoProjectionStore(fresh.db, stack.topology);
      expect(Math.max(...(await projection.checkpoints()).map((c) => c.seq))).toBe(journalLength);
      expect(await readModelSnapshot(fresh.db, stack.topology)).toEqual(await readModelSnapshot(stack.mongo.db, stack.topology));
      const [balance] = await store.balancesByWalletIds([walletId as string]);
      expect(balance).toMatchObject({ asset: 'ETH', total: '3.625', version: 4 });
      expect((await store.assets()).map((a) => a.code)).toEqual(['BTC', 'ETH', 'USD', 'USDT']);
    } finally {
      await second.stop();
    }
  });
});

describe('two processors starting together on an empty journal', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ roles: [] });
  });
  afterAll(() => stack?.stop());

  it('register the default catalog once', async () => {
    const both = await Promise.all([stack.start('processor'), stack.start('processor')]);
    expect(both).toHaveLength(2);
    for (const code of ['BTC', 'ETH', 'USDT', 'USD']) expect(await countOnSubject(stack.nats, `evt.asset.${code}`)).toBe(1);
  });
});
