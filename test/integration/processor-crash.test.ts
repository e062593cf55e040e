import { headers } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJson } from '../../src/infra/nats/json.js';
import type { CommandMessage } from '../../src/ports.js';
import { type ChildRole, spawnRoles } from '../support/child-role.js';
import { countOnSubject, readJournal, walletSubjects } from '../support/journal.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const alice = user('alice');

describe('processor crashes and repeated commands', () => {
  let stack: TestStack;
  const children: ChildRole[] = [];
  const childEnv = () => ({ NATS_URL: stack.server.url, ACK_WAIT_MS: '3000' });

  beforeAll(async () => {
    stack = await startTestStack({ roles: ['projector'] });
  });
  afterAll(async () => {
    for (const child of children) await child.kill();
    await stack?.stop();
  });

  const createWallet = async () => {
    const created = await stack.app.submit({ principal: alice, command: { type: 'CreateWallet', data: { name: 'w' } }, consistency: 'PROJECTED' });
    expect(created.state).toBe('ACCEPTED');
    return created.walletId as string;
  };

  it('loses nothing and doubles nothing when a processor is killed mid-stream', async () => {
    const first = await spawnRoles('processor', childEnv());
    children.push(first);
    const walletId = await createWallet();

    const total = 1500;
    await first.kill(); // queue everything first so the next processor has a real backlog to crash in
    for (let i = 0; i < total; i++) {
      await stack.app.submit({ principal: alice, command: { type: 'Deposit', data: { walletId, asset: 'USD', amount: '0.01' } }, consistency: 'QUEUED' });
    }
    const victim = await spawnRoles('processor', childEnv());
    children.push(victim);
    const subject = walletSubjects(walletId);
    await waitFor(async () => (await countOnSubject(stack.nats, subject)) >= 200, { timeoutMs: 30_000, message: 'processor made no progress' });
    await victim.kill();
    const atKill = await countOnSubject(stack.nats, subject);
    expect(atKill, 'the kill must land mid-stream for this test to mean anything').toBeLessThan(total + 1);

    children.push(await spawnRoles('processor', childEnv()));
    await waitFor(async () => (await countOnSubject(stack.nats, subject)) >= total + 1, { timeoutMs: 60_000, message: 'deposits lost after the crash' });
    const probe = async () => (await stack.app.read.walletsByIds([walletId]))[0]?.version;
    await waitFor(async () => (await probe()) === total + 1, { timeoutMs: 30_000 });

    const events = (await readJournal(stack.nats)).filter((s) => s.event.walletId === walletId);
    expect(events).toHaveLength(total + 1);
    expect(new Set(events.map((s) => s.event.commandId)).size).toBe(total + 1);
    expect(events.map((s) => s.event.version)).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    const [balance] = await stack.app.read.balancesByWalletIds([walletId]);
    expect(balance?.total).toBe('15');
  });

  it('applies a command id once however often it arrives, and sends poison to the DLQ', async () => {
    children.push(await spawnRoles('processor', childEnv()));
    const walletId = await createWallet();
    const command: CommandMessage = {
      type: 'Deposit',
      data: { walletId, asset: 'BTC', amount: '0.5' },
      metadata: { commandId: 'repeated-command-1', correlationId: 'c', actor: 'alice', admin: false, issuedAt: new Date().toISOString() },
    };
    // Different Nats-Msg-Ids get past JetStream's dedupe window: only the processor can stop these.
    for (let i = 0; i < 3; i++) {
      await stack.nats.js.publish(`cmd.wallet.${walletId}`, encodeJson(command), { msgID: `copy-${i}` });
    }
    const poison = headers();
    poison.set('Command-Type', 'Deposit');
    await stack.nats.js.publish(`cmd.wallet.${walletId}`, new TextEncoder().encode('{"not":"a command"'), { headers: poison });
    await stack.nats.js.publish(`cmd.wallet.${walletId}`, encodeJson({ ...command, metadata: { ...command.metadata, commandId: 'after-poison' } }));

    await waitFor(async () => (await countOnSubject(stack.nats, walletSubjects(walletId))) >= 3, { timeoutMs: 20_000 });
    await waitFor(async () => (await stack.nats.jsm.streams.info('DLQ')).state.messages >= 1, { timeoutMs: 20_000, message: 'poison never reached the DLQ' });
    const dead = await stack.nats.jsm.streams.getMessage('DLQ', { last_by_subj: 'dlq.COMMANDS.processor' });
    expect(dead.header.get('Dlq-Error')).toMatch(/not JSON/);
    expect(dead.header.get('Dlq-Subject')).toBe(`cmd.wallet.${walletId}`);

    const [balance] = await waitFor(async () => {
      const b = await stack.app.read.balancesByWalletIds([walletId]);
      return b[0]?.total === '1' ? b : null;
    });
    expect(balance?.total).toBe('1'); // 0.5 once for the three copies, 0.5 for the command after the poison
    expect(await countOnSubject(stack.nats, walletSubjects(walletId))).toBe(3);
    const outcome = await stack.app.commandStatus('repeated-command-1');
    expect(outcome).toMatchObject({ state: 'ACCEPTED', walletId });
  });
});
