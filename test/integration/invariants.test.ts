import { walletShard } from '../../src/app/sharding.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/app/command-handler.js';
import type { Principal } from '../../src/app/ledger-app.js';
import { verifyJournal } from '../../src/app/verify.js';
import { rebuildReadModels } from '../../src/commands/rebuild.js';
import { runVerification } from '../../src/commands/verify.js';
import { journalExtent, readJournal } from '../../src/infra/nats/journal-reader.js';
import { createNatsJournal } from '../../src/infra/nats/journal.js';
import { systemClock, systemIds } from '../../src/infra/system.js';
import type { CommandMessage, CommandOutcome, StoredEvent } from '../../src/ports.js';
import { waitAtRest } from '../support/at-rest.js';
import { seeded } from '../support/random.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';


/** Base units as the decimal string the API takes. */
const decimal = (units: number, decimals: number): string => {
  const digits = String(units).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
};

type Command = Parameters<TestStack['app']['submit']>[0]['command'];
type Sent = { commandId: string; type: Command['type']; outcome: CommandOutcome };

const SEED = 20261122;
const CLIENTS = 5;
const WALLETS_PER_CLIENT = 4;
const COMMANDS = 500;

describe('the invariants of events.md after a random sequence of 500 commands across 20 wallets', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor', 'projector', 'scheduler'] });
  });
  afterAll(() => stack?.stop());

  it('hold: balances, conservation, replay = read models, one effect per command, one ending per transfer', { timeout: 120_000 }, async () => {
    const random = seeded(SEED);
    const sent: Sent[] = [];
    const submit = async (principal: Principal, command: Command, consistency: 'DECIDED' | 'QUEUED') => {
      const outcome = await stack.app.submit({ principal, command, consistency });
      sent.push({ commandId: outcome.commandId, type: command.type, outcome });
      return outcome;
    };

    // Every client creates its wallets first, so the random commands have something to act on.
    const owners = Array.from({ length: CLIENTS }, (_, i) => user(`client-${i}`));
    const walletsOf = await Promise.all(
      owners.map(async (owner) => {
        const ids: string[] = [];
        for (let w = 0; w < WALLETS_PER_CLIENT; w++) {
          const created = await submit(owner, { type: 'CreateWallet', data: { name: `${owner.sub} #${w}` } }, 'DECIDED');
          expect(created.state).toBe('ACCEPTED');
          ids.push(created.walletId as string);
        }
        return ids;
      }),
    );
    const allWallets = walletsOf.flat();

    // Each client's script is drawn up front from the seed; the clients then run concurrently.
    const perClient = (COMMANDS - allWallets.length) / CLIENTS;
    const scripts = owners.map((owner, c) => Array.from({ length: perClient }, () => draw(owner, walletsOf[c] as string[])));
    function draw(owner: Principal, own: string[]) {
      const consistency = random.next() < 0.7 ? ('DECIDED' as const) : ('QUEUED' as const);
      const walletId = random.pick(own);
      const [asset, decimals, lo, hi] = random.next() < 0.7 ? (['USD', 2, 1, 5_000] as const) : (['BTC', 8, 1_000, 5_000_000] as const);
      const amount = decimal(random.between(lo, hi), decimals);
      // Deposits larger than the rest, so most withdrawals and transfers find the funds.
      const deposit = decimal(random.between(lo, hi) * 20, decimals);
      const roll = random.next();
      const delayMs = random.between(300, 1_500);
      const toWalletId = random.pick(allWallets);
      const closable = walletId === own[own.length - 1];
      // Which of its scheduled transfers a cancel aims at, drawn now so the concurrent run draws nothing.
      const cancelPick = random.next();
      return { owner, consistency, walletId, asset, amount, deposit, roll, delayMs, toWalletId, closable, cancelPick };
    }

    const scheduledBy = new Map<string, string[]>();
    const run = async (step: ReturnType<typeof draw>) => {
      const { owner, consistency, walletId, asset, amount, deposit, roll, delayMs, toWalletId, closable, cancelPick } = step;
      if (roll < 0.25) return submit(owner, { type: 'Deposit', data: { walletId, asset, amount: deposit } }, consistency);
      if (roll < 0.35) return submit(owner, { type: 'Withdraw', data: { walletId, asset, amount } }, consistency);
      if (roll < 0.4) return submit(owner, { type: 'RenameWallet', data: { walletId, name: `renamed ${amount}` } }, consistency);
      if (roll < 0.68) return submit(owner, { type: 'RequestTransfer', data: { walletId, toWalletId, asset, amount } }, consistency);
      if (roll < 0.85) {
        const executeAt = new Date(Date.now() + delayMs).toISOString();
        const outcome = await submit(owner, { type: 'RequestTransfer', data: { walletId, toWalletId, asset, amount, executeAt } }, consistency);
        scheduledBy.set(owner.sub, [...(scheduledBy.get(owner.sub) ?? []), `${walletId}/${outcome.transferId}`]);
        return outcome;
      }
      if (roll < 0.96) {
        const mine = scheduledBy.get(owner.sub) ?? [];
        const target = mine[Math.floor(cancelPick * mine.length)] ?? `${walletId}/no-such-transfer`;
        const [from, transferId] = target.split('/') as [string, string];
        return submit(owner, { type: 'CancelTransfer', data: { walletId: from, transferId } }, consistency);
      }
      // Closing: the client's last wallet is emptied first (from a possibly stale read model) so it can close;
      // the others are mostly refused as not empty.
      if (closable) {
        const holding = (await stack.app.read.balancesByWalletIds([walletId])).find((b) => b.available !== '0');
        if (holding) return submit(owner, { type: 'Withdraw', data: { walletId, asset: holding.asset, amount: holding.available } }, consistency);
      }
      return submit(owner, { type: 'CloseWallet', data: { walletId } }, consistency);
    };
    await Promise.all(scripts.map(async (script) => { for (const step of script) await run(step); }));
    expect(sent).toHaveLength(COMMANDS);

    const events = await waitAtRest(stack, sent);

    // Invariant 4 from the caller's side: an accepted command left exactly one event, a rejected one none.
    const byCommand = new Map<string, number>();
    for (const { event } of events) byCommand.set(event.commandId, (byCommand.get(event.commandId) ?? 0) + 1);
    for (const { commandId, type } of sent) {
      const final = await stack.app.commandStatus(commandId);
      expect(final?.state, `${type} ${commandId}`).not.toBe('QUEUED');
      expect(byCommand.get(commandId) ?? 0, `events of ${final?.state} ${type} ${commandId}`).toBe(final?.state === 'ACCEPTED' ? 1 : 0);
    }

    expect((await stack.nats.jsm.streams.info('DLQ')).state.messages, 'messages given up on').toBe(0);
    const verification = await runVerification({ nats: stack.nats, client: stack.mongo.client, db: stack.mongo.db, atRest: true });
    expect(verification.problems).toEqual([]);
    expect(verification.audit.violations).toEqual([]);
    expect(verification.replay.diff.count).toBe(0);
    expect(Math.max(...verification.replay.checkpoints.values())).toBe(events[events.length - 1]?.seq);
    expect(verification.lag).toBe(0);

    // The mix really exercised what the invariants are about.
    const { transfers, wallets } = verification.audit;
    expect(wallets).toBe(CLIENTS * WALLETS_PER_CLIENT);
    expect(transfers.completed).toBeGreaterThan(50);
    expect(transfers.cancelled).toBeGreaterThan(0);
    expect(events.filter((s) => s.event.type === 'TransferScheduled').length).toBeGreaterThan(10);
    expect(events.filter((s) => s.event.type === 'FundsWithdrawn').length).toBeGreaterThan(10);
  });
});

describe('a command redelivered to a processor whose copy of the wallet is stale', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The processor role registers the asset catalog; the test then drives two handlers by hand.
    stack = await startTestStack({ roles: ['processor', 'projector'] });
  });
  afterAll(() => stack?.stop());

  it('is recognised as done, and the wallet goes on from its real history', async () => {
    const journal = createNatsJournal(stack.nats.js, stack.nats.jsm, stack.topology);
    const first = await createCommandHandler({ journal, clock: systemClock, ids: systemIds });
    const second = await createCommandHandler({ journal, clock: systemClock, ids: systemIds });
    const command = (commandId: string, type: 'CreateWallet' | 'Deposit', data: Record<string, unknown>): CommandMessage => ({
      type,
      data,
      metadata: { commandId, correlationId: commandId, actor: 'alice', admin: false, issuedAt: new Date().toISOString() },
    }) as CommandMessage;
    const deposit = (commandId: string, amount: string) => command(commandId, 'Deposit', { walletId: 'stale', asset: 'USD', amount });

    expect((await first.handle(command('stale-create', 'CreateWallet', { walletId: 'stale', ownerId: 'alice', name: 'stale' }))).state).toBe('ACCEPTED');
    await second.handle(deposit('stale-1', '1')); // `second` now holds the wallet at version 2
    await first.handle(deposit('stale-10', '10')); // version 3, unseen by `second`
    await first.handle(deposit('stale-100', '100')); // version 4; `first` then dies before acking it
    // The redelivery lands on `second`, whose copy stops at version 2.
    const redelivered = await second.handle(deposit('stale-100', '100'));
    expect(redelivered).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 4 });
    expect((await second.handle(deposit('stale-1000', '1000'))).aggregateVersion).toBe(5);

    const events = (await readJournal(stack.nats.js, stack.nats.jsm)).filter((s: StoredEvent) => s.event.walletId === 'stale');
    expect(events.map((s) => s.event.version)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((s) => (s.event.data as { totalAfter?: string }).totalAfter)).toEqual([undefined, '1', '11', '111', '1111']);
    expect(verifyJournal(events)).toEqual([]);
  });
});

describe('verify and rebuild on read models that drifted from the journal', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor'] });
  });
  afterAll(() => stack?.stop());

  it('verify reports each drifted document; rebuild restores them; the projector then carries on', async () => {
    let projector = await stack.start('projector');
    const alice = user('alice');
    const submit = (command: Command) => stack.app.submit({ principal: alice, command, consistency: 'PROJECTED' });
    const from = (await submit({ type: 'CreateWallet', data: { name: 'from' } })).walletId as string;
    const to = (await submit({ type: 'CreateWallet', data: { name: 'to' } })).walletId as string;
    await submit({ type: 'Deposit', data: { walletId: from, asset: 'USD', amount: '50' } });
    const { transferId } = await submit({ type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'USD', amount: '20' } });
    const verify = () => runVerification({ nats: stack.nats, client: stack.mongo.client, db: stack.mongo.db, atRest: true });
    await waitUntil(async () => expect((await verify()).problems).toEqual([]), { timeoutMs: 15_000 });

    await projector.stop();
    const db = stack.mongo.db;
    const shard = walletShard(from, stack.topology);
    await db.collection(`transfers.${shard}`).updateOne({ _id: transferId as never }, { $set: { status: 'FAILED' } });
    await db.collection('wallets').deleteOne({ _id: to as never });
    await db.collection(`ledger_entries.${shard}`).insertOne({ _id: 'forged' as never, walletId: from, seq: 1 });
    const drifted = await verify();
    expect(drifted.replay.diff.count).toBe(3);
    expect(drifted.problems).toEqual([
      expect.stringMatching(/^invariant 3: 3 read-model document\(s\) differ/),
      `  wallets ${to}: missing from MongoDB`,
      '  entries forged: in MongoDB but not in the replay',
      `  transfers ${transferId}: status: "FAILED" → "COMPLETED"`,
    ]);

    const progress: number[] = [];
    const rebuilt = await rebuildReadModels({ nats: stack.nats, db, onProgress: ({ done }) => progress.push(done) });
    expect(rebuilt.lastSeq).toBe((await journalExtent(stack.nats.jsm)).last);
    expect(progress.at(-1)).toBe(rebuilt.events);
    expect((await verify()).problems).toEqual([]);

    // The projector resumes after the rebuilt checkpoint: new events land once, old ones are not replayed on top.
    projector = await stack.start('projector');
    await submit({ type: 'Withdraw', data: { walletId: to, asset: 'USD', amount: '5' } });
    expect((await stack.app.read.balancesByWalletIds([to]))[0]).toMatchObject({ total: '15' });
    expect((await verify()).problems).toEqual([]);
  });
});
