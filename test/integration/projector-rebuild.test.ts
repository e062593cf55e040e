import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoReadStore, readModelSnapshot } from '../../src/infra/mongo/read-store.js';
import { startProjectorRole } from '../../src/roles.js';
import { countOnSubject, readJournal } from '../support/journal.js';
import { type TestDatabase, testDatabase } from '../support/mongo.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('the projector', () => {
  let stack: TestStack;
  let fresh: TestDatabase;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor', 'projector'] });
    fresh = await testDatabase();
  });
  afterAll(async () => {
    await fresh?.drop();
    await stack?.stop();
  });

  it('rebuilds every read model from sequence 1 into an empty database, whatever its consumer position', async () => {
    const alice = user('alice');
    const { walletId } = await stack.app.submit({ principal: alice, command: { type: 'CreateWallet', data: { name: 'w' } }, consistency: 'PROJECTED' });
    for (const amount of ['1', '2.5', '0.125']) {
      await stack.app.submit({ principal: alice, command: { type: 'Deposit', data: { walletId: walletId as string, asset: 'ETH', amount } }, consistency: 'PROJECTED' });
    }
    const journalLength = (await readJournal(stack.nats)).length;
    // The durable consumer has acked everything: only the empty checkpoint says "start over".
    await waitFor(async () => (await stack.nats.jsm.consumers.info('JOURNAL', 'projector')).ack_floor.stream_seq === journalLength, {
      message: 'the first projector never acked the whole journal',
    });

    const second = await startProjectorRole({ ...stack.deps, db: fresh.db });
    try {
      const store = await createMongoReadStore(fresh.db);
      await waitFor(async () => (await store.checkpoint()) === journalLength, { message: 'the empty database was not rebuilt' });
      expect(await readModelSnapshot(fresh.db)).toEqual(await readModelSnapshot(stack.mongo.db));
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
