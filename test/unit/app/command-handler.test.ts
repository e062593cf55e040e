/**
 * The generic command handler against an in-memory journal: what it appends, how it answers a
 * command it has seen, how it survives a concurrent writer, why it re-checks a rejection, how it
 * learns of assets registered elsewhere, and how the attempt log keeps a crash between append and
 * outcome from turning into a second effect.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type CommandHandler, createCommandHandler } from '../../../src/app/command-handler.js';
import { RECENT_COMMANDS } from '../../../src/app/recent-commands.js';
import { systemIds } from '../../../src/infra/system.js';
import type { AttemptLog, CommandMessage } from '../../../src/ports.js';
import { createWallet, defaultCatalog, deposit, registerAsset, rename, steppingClock, withdraw } from '../../support/commands.js';
import { type MemoryJournal, createMemoryJournal } from '../../support/memory-journal.js';
import { createMemoryAttemptLog } from '../../support/memory-ports.js';

let journal: MemoryJournal;
const handler = (attempts?: AttemptLog): Promise<CommandHandler> => createCommandHandler({ journal, clock: steppingClock(), ids: systemIds, attempts });
const eventsOf = (walletId: string) => journal.all().filter((s) => s.event.walletId === walletId);

beforeEach(async () => {
  journal = createMemoryJournal();
  const seed = await handler();
  for (const command of defaultCatalog()) await seed.handle(command);
});

describe('the command handler', () => {
  it('appends one event per accepted command: the next version, a schema version, an id derived from the command', async () => {
    const h = await handler();
    const created = await h.handle(createWallet('w1'));
    const funded = await h.handle(deposit('w1', '12.50', 'USD', 'deposit-1'));
    expect(created).toMatchObject({ state: 'ACCEPTED', walletId: 'w1', aggregateVersion: 1 });
    expect(funded).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 2, journalSeq: eventsOf('w1')[1]?.seq });
    const [, event] = eventsOf('w1').map((s) => s.event);
    expect(event).toMatchObject({
      type: 'FundsDeposited',
      version: 2,
      schemaVersion: 1,
      commandId: 'deposit-1',
      id: systemIds.derive('event:wallet:w1:deposit-1'),
      data: { asset: 'USD', amount: '12.5', totalAfter: '12.5', reservedAfter: '0' },
    });
  });

  it('answers a command id it has seen from history, with where its event landed, and appends nothing', async () => {
    const h = await handler();
    await h.handle(createWallet('w1'));
    const first = await h.handle(deposit('w1', '5', 'USD', 'once'));
    const again = await h.handle(deposit('w1', '5', 'USD', 'once'));
    // A process that never saw it (a restart, another instance) knows it from the journal.
    const elsewhere = await (await handler()).handle(deposit('w1', '5', 'USD', 'once'));
    expect(again).toMatchObject({ state: 'ACCEPTED', aggregateVersion: first.aggregateVersion, journalSeq: first.journalSeq });
    expect(elsewhere).toMatchObject({ state: 'ACCEPTED', aggregateVersion: first.aggregateVersion, journalSeq: first.journalSeq });
    expect(eventsOf('w1')).toHaveLength(2);
  });

  it('on a conflicting append, catches up and decides again on the real history', async () => {
    const a = await handler();
    const b = await handler();
    await a.handle(createWallet('w1'));
    await a.handle(deposit('w1', '1')); // `a` caches the wallet at version 2
    await b.handle(deposit('w1', '10')); // another processor appends version 3
    const outcome = await a.handle(deposit('w1', '100'));
    expect(outcome).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 4 });
    const last = eventsOf('w1').at(-1)?.event;
    // Decided on `b`'s deposit too: the balance after is 111, not 101.
    expect(last?.type === 'FundsDeposited' && last.data.totalAfter).toBe('111');
  });

  it('gives up after eight conflicting appends in a row', async () => {
    const h = await handler();
    await h.handle(createWallet('w1'));
    let racing = 0;
    journal.beforeAppend = (ref) => {
      const version = eventsOf(ref.id).length + 1;
      racing++;
      journal.appendRaw(ref, { ...eventsOf(ref.id)[0]!.event, type: 'WalletRenamed', id: `race-${version}`, commandId: `race-${version}`, version, data: { name: `race ${version}` } });
    };
    await expect(h.handle(rename('w1', 'mine'))).rejects.toThrow(/gave up after 8 conflicting appends/);
    expect(racing).toBe(8);
  });

  it('confirms a rejection against a fresh copy before answering it (funds deposited elsewhere)', async () => {
    const a = await handler();
    const b = await handler();
    await a.handle(createWallet('w1')); // `a` believes the wallet is empty
    await b.handle(deposit('w1', '10'));
    const outcome = await a.handle(withdraw('w1', '4'));
    expect(outcome).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 3 });
    // A rejection that holds on the fresh copy too is answered.
    expect(await a.handle(withdraw('w1', '7'))).toMatchObject({ state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' });
  });

  it('reloads the catalog for an asset registered by another process: in a command, and in a history it folds', async () => {
    const early = await handler(); // knows only the default catalog
    const later = await handler();
    const other = await handler();
    await other.handle(registerAsset('SOL', 9));
    await other.handle(createWallet('w1'));
    expect(await early.handle(deposit('w1', '1.5', 'SOL'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 2 });
    expect(early.catalog().has('SOL')).toBe(true);
    // `later` loaded its catalog before SOL existed too; the wallet's history now holds a SOL deposit it cannot read yet.
    expect(later.catalog().has('SOL')).toBe(false);
    expect(await later.handle(rename('w1', 'Solana'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 3 });
    // An asset that does not exist anywhere is still refused.
    expect(await later.handle(deposit('w1', '1', 'NOPE'))).toMatchObject({ state: 'REJECTED', code: 'UNKNOWN_ASSET' });
  });

  it('keeps only the last command ids per wallet, however long its history', async () => {
    const h = await handler();
    await h.handle(createWallet('w1'));
    for (let i = 0; i < RECENT_COMMANDS + 10; i++) await h.handle(rename('w1', `n${i}`, `rename-${i}`));
    // The newest are answered from the wallet itself…
    expect(await h.handle(rename('w1', 'again', `rename-${RECENT_COMMANDS + 9}`))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: RECENT_COMMANDS + 11 });
    // …the oldest are the outcome store's business (the processor asks it first; see processor.ts).
    journal.forgetIds();
    expect(await h.handle(rename('w1', 'again', 'rename-0'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: RECENT_COMMANDS + 12 });
  });
});

describe('a crash between the append and the recorded outcome', () => {
  /** Accepted and appended, then the process died before the outcome was recorded; the wallet moved on by more than its recent ids. */
  async function crashAfterAppend(attempts: AttemptLog | undefined, command: CommandMessage) {
    const before = await handler(attempts);
    await before.handle(createWallet('w1'));
    await before.handle(deposit('w1', '10'));
    const first = await before.handle(command); // its outcome is lost with the process
    const busy = await handler(attempts);
    for (let i = 0; i < RECENT_COMMANDS + 5; i++) await busy.handle(rename('w1', `n${i}`));
    // The redelivery comes after JetStream's dedupe window: only the ledger's own records can tell.
    journal.forgetIds();
    return first;
  }
  const withdrawals = () => eventsOf('w1').filter((s) => s.event.commandId === 'withdraw-all');

  it('the redelivered command finds its event through the attempt log, even where it would now be refused', async () => {
    const attempts = createMemoryAttemptLog();
    const first = await crashAfterAppend(attempts, withdraw('w1', '10', 'USD', 'withdraw-all'));
    const redelivered = await (await handler(attempts)).handle(withdraw('w1', '10', 'USD', 'withdraw-all'));
    expect(redelivered).toMatchObject({ state: 'ACCEPTED', aggregateVersion: first.aggregateVersion, journalSeq: first.journalSeq });
    expect(withdrawals()).toHaveLength(1);
  });

  it('the same, for a command that would be accepted again', async () => {
    const attempts = createMemoryAttemptLog();
    const first = await crashAfterAppend(attempts, deposit('w1', '1', 'USD', 'withdraw-all'));
    const redelivered = await (await handler(attempts)).handle(deposit('w1', '1', 'USD', 'withdraw-all'));
    expect(redelivered).toMatchObject({ state: 'ACCEPTED', journalSeq: first.journalSeq });
    expect(withdrawals()).toHaveLength(1);
  });

  it('without the attempt log, the bounded recent ids alone would let it apply twice (what the log is for)', async () => {
    await crashAfterAppend(undefined, deposit('w1', '1', 'USD', 'withdraw-all'));
    await (await handler()).handle(deposit('w1', '1', 'USD', 'withdraw-all'));
    expect(withdrawals()).toHaveLength(2);
  });

  it('an attempt that never reached the journal is not mistaken for one that did', async () => {
    const attempts = createMemoryAttemptLog();
    const h = await handler(attempts);
    await h.handle(createWallet('w1'));
    await h.handle(deposit('w1', '10'));
    journal.beforeAppend = () => {
      throw new Error('the process died before its publish left');
    };
    await expect(h.handle(withdraw('w1', '3', 'USD', 'w-3'))).rejects.toThrow(/died/);
    journal.beforeAppend = null;
    expect(attempts.all.get('w-3')).toMatchObject({ afterSeq: eventsOf('w1')[1]!.seq });
    expect(await (await handler(attempts)).handle(withdraw('w1', '3', 'USD', 'w-3'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 3 });
    expect(eventsOf('w1')).toHaveLength(3);
  });
});
