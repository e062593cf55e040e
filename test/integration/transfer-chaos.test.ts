import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDecimal, compareDecimal } from '../../src/app/decimal.js';
import { runVerification } from '../../src/commands/verify.js';
import { journalExtent } from '../../src/infra/nats/journal-reader.js';
import type { CommandOutcome, StoredEvent } from '../../src/ports.js';
import { type ChildRole, spawnRoles } from '../support/child-role.js';
import { waitAtRest } from '../support/at-rest.js';
import { seeded } from '../support/random.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';


const cents = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

const SEED = 3;
const WALLETS = 30;
const CLIENTS = 20;
const TRANSFERS = 1_000;
const FUNDING = '1000';

type Command = Parameters<TestStack['app']['submit']>[0]['command'];
type Sent = { commandId: string; type: Command['type']; outcome: CommandOutcome };

describe('1,000 random transfers among 30 wallets while processors are SIGKILLed', () => {
  let stack: TestStack;
  const processors: ChildRole[] = [];
  const everyChild: ChildRole[] = [];
  const spawnProcessor = async () => {
    const child = await spawnRoles('processor', { NATS_URL: stack.server.url, ACK_WAIT_MS: '3000' });
    everyChild.push(child);
    return child;
  };

  beforeAll(async () => {
    stack = await startTestStack({ roles: ['projector', 'scheduler'] });
    processors.push(...(await Promise.all([spawnProcessor(), spawnProcessor()])));
  });
  afterAll(async () => {
    for (const child of everyChild) await child.kill();
    await stack?.stop();
  });

  it('ends every transfer exactly once, conserves money and keeps the read models equal to a replay', { timeout: 150_000 }, async () => {
    const random = seeded(SEED);
    const sent: Sent[] = [];
    const submit = async (owner: string, command: Command, consistency: 'DECIDED' | 'QUEUED') => {
      const outcome = await stack.app.submit({ principal: user(owner), command, consistency });
      sent.push({ commandId: outcome.commandId, type: command.type, outcome });
      return outcome;
    };

    const owners = Array.from({ length: WALLETS }, (_, i) => `owner-${i}`);
    const wallets = await Promise.all(
      owners.map(async (owner) => {
        const created = await submit(owner, { type: 'CreateWallet', data: { name: owner } }, 'DECIDED');
        const walletId = created.walletId as string;
        expect((await submit(owner, { type: 'Deposit', data: { walletId, asset: 'USD', amount: FUNDING } }, 'DECIDED')).state).toBe('ACCEPTED');
        return walletId;
      }),
    );
    const fundedAt = (await journalExtent(stack.nats.jsm)).last;

    // Drawn up front so the run is the same whatever the interleaving: who sends what, scheduled or not, cancelled or not.
    const plans = Array.from({ length: TRANSFERS }, () => {
      const from = random.between(0, WALLETS - 1);
      const to = (from + random.between(1, WALLETS - 1)) % WALLETS;
      const scheduled = random.next() < 0.2;
      return {
        from,
        to,
        amount: cents(random.between(1, 2_000)),
        executeInMs: scheduled ? random.between(200, 1_200) : null,
        cancel: scheduled && random.next() < 0.35,
        consistency: random.next() < 0.5 ? ('DECIDED' as const) : ('QUEUED' as const),
      };
    });
    // Kill points, as journal sequences, within the stretch the transfers will write (about three events each).
    const kills = random.between(3, 5);
    const killAt = Array.from({ length: kills }, () => fundedAt + random.between(150, 2_200)).sort((a, b) => a - b);
    const victims = killAt.map(() => random.between(0, 1));

    const transfers: Array<{ commandId: string; transferId: string }> = [];
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; i < plans.length; i += CLIENTS) {
        const plan = plans[i]!;
        const walletId = wallets[plan.from] as string;
        const executeAt = plan.executeInMs === null ? undefined : new Date(Date.now() + plan.executeInMs).toISOString();
        const requested = await submit(
          owners[plan.from] as string,
          { type: 'RequestTransfer', data: { walletId, toWalletId: wallets[plan.to] as string, asset: 'USD', amount: plan.amount, executeAt } },
          plan.consistency,
        );
        transfers.push({ commandId: requested.commandId, transferId: requested.transferId as string });
        if (plan.cancel) {
          await submit(owners[plan.from] as string, { type: 'CancelTransfer', data: { walletId, transferId: requested.transferId as string } }, plan.consistency);
        }
      }
    });
    let killed = 0;
    const killer = (async () => {
      for (const [k, seq] of killAt.entries()) {
        await waitFor(async () => (await journalExtent(stack.nats.jsm)).last >= seq, { timeoutMs: 60_000, intervalMs: 20, message: `journal seq ${seq} (kill ${k + 1})` });
        const victim = victims[k] as number;
        await processors[victim]!.kill();
        killed++;
        processors[victim] = await spawnProcessor();
      }
    })();
    await Promise.all([...clients, killer]);
    expect(killed).toBe(kills);
    expect(transfers).toHaveLength(TRANSFERS);

    const events = await waitAtRest(stack, sent);

    // Every requested transfer: rejected without a trace, or accepted and ended exactly once.
    const eventsOf = new Map<string, StoredEvent[]>();
    for (const stored of events) {
      const transferId = (stored.event.data as { transferId?: string }).transferId;
      if (transferId) eventsOf.set(transferId, [...(eventsOf.get(transferId) ?? []), stored]);
    }
    const count = (transferId: string, type: string) => (eventsOf.get(transferId) ?? []).filter((s) => s.event.type === type).length;
    const accepted: string[] = [];
    for (const { commandId, transferId } of transfers) {
      const outcome = await stack.app.commandStatus(commandId);
      expect(outcome?.state, `request ${commandId}`).toMatch(/^(ACCEPTED|REJECTED)$/);
      if (outcome?.state !== 'ACCEPTED') {
        expect(eventsOf.get(transferId), `events of rejected transfer ${transferId}`).toBeUndefined();
        continue;
      }
      accepted.push(transferId);
      const endings = count(transferId, 'TransferCompleted') + count(transferId, 'TransferFailed') + count(transferId, 'TransferCancelled');
      expect(endings, `endings of ${transferId}`).toBe(1);
      expect(count(transferId, 'TransferDebited'), `debits of ${transferId}`).toBeLessThanOrEqual(1);
      expect(count(transferId, 'TransferCredited'), `credits of ${transferId}`).toBe(count(transferId, 'TransferCompleted'));
    }
    expect(accepted.length).toBeGreaterThan(TRANSFERS * 0.8);
    const views = await stack.app.read.transfersByIds(accepted);
    expect(views).toHaveLength(accepted.length);
    const statuses = new Set(views.map((t) => t.status));
    expect([...statuses].filter((s) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(s))).toEqual([]);
    expect([...statuses]).toEqual(expect.arrayContaining(['CANCELLED', 'COMPLETED']));

    // Money: nothing created or lost, nothing negative, nothing left reserved.
    const balances = await stack.app.read.balancesByWalletIds(wallets);
    const held = balances.reduce((sum, b) => addDecimal(sum, b.total), '0');
    expect(held).toBe(String(WALLETS * Number(FUNDING)));
    for (const b of balances) {
      expect(b.reserved, `reserved of ${b.walletId}`).toBe('0');
      expect(compareDecimal(b.available, '0'), `available of ${b.walletId}: ${b.available}`).toBeGreaterThanOrEqual(0);
    }

    expect((await stack.nats.jsm.streams.info('DLQ')).state.messages, 'messages given up on').toBe(0);
    const verification = await runVerification({ nats: stack.nats, client: stack.mongo.client, db: stack.mongo.db, atRest: true });
    expect(verification.problems).toEqual([]);
    expect(verification.replay.diff.count).toBe(0);
    expect(verification.audit.transfers).toMatchObject({ inFlight: 0, scheduled: 0 });
  });
});
