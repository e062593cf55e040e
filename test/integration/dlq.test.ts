import { headers } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetters, replayDeadLetter } from '../../src/commands/dlq.js';
import { encodeJson } from '../../src/infra/nats/json.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('dead letters', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('lists what failed and replays a command once its cause is gone', async () => {
    const { walletId } = await stack.app.submit({ principal: user('alice'), command: { type: 'CreateWallet', data: { name: 'w' } }, consistency: 'PROJECTED' });
    await stack.nats.js.publish(`cmd.wallet.${walletId}`, new TextEncoder().encode('garbage'));
    // A good command that had been dead-lettered (say, while a dependency was down), as the processor writes it.
    const command = {
      type: 'Deposit',
      data: { walletId, asset: 'USD', amount: '7' },
      metadata: { commandId: 'was-dead', correlationId: 'was-dead', actor: 'alice', admin: false, issuedAt: new Date().toISOString() },
    };
    const h = headers();
    h.set('Dlq-Stream', 'COMMANDS');
    h.set('Dlq-Consumer', 'processor');
    h.set('Dlq-Subject', `cmd.wallet.${walletId}`);
    h.set('Dlq-Sequence', '999');
    h.set('Dlq-Error', 'MongoDB was down');
    await stack.nats.js.publish('dlq.COMMANDS.processor', encodeJson(command), { headers: h });

    const letters = await waitFor(async () => {
      const all = await deadLetters(stack.nats);
      return all.length === 2 ? all : null;
    }, { message: 'the poison message never reached the DLQ' });
    const poison = letters.find((l) => l.headers.get('Dlq-Error').includes('not JSON'));
    const good = letters.find((l) => l.headers.get('Dlq-Error') === 'MongoDB was down');
    expect(poison && good).toBeTruthy();

    expect(await replayDeadLetter(stack.nats, good!)).toMatch(/COMMANDS/);
    await waitFor(async () => (await stack.app.read.balancesByWalletIds([walletId as string]))[0]?.total === '7', { message: 'the replayed deposit never landed' });
    expect(await stack.app.commandStatus('was-dead')).toMatchObject({ state: 'ACCEPTED' });
    // Replayed twice, still one effect: a later deposit on the same wallet (decided after the replay) lands on top of one 7.
    await replayDeadLetter(stack.nats, good!);
    await stack.app.submit({ principal: user('alice'), command: { type: 'Deposit', data: { walletId: walletId as string, asset: 'USD', amount: '1' } }, consistency: 'PROJECTED' });
    const [balance] = await stack.app.read.balancesByWalletIds([walletId as string]);
    expect(balance).toMatchObject({ total: '8', version: 3 });
  });
});
