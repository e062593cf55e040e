/**
 * Decisions run in parallel across wallets (up to 64 at once per processor, and two processors),
 * yet each wallet stays strictly sequential: 20 clients hammer 5 wallets with deposits and
 * withdrawals sized so that many withdrawals race for the same funds. Every accepted withdrawal
 * must have found its funds, versions must run without a gap or a repeat, and the read models
 * must equal a replay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditJournal } from '../../src/app/verify.js';
import { runVerification } from '../../src/commands/verify.js';
import type { CommandOutcome } from '../../src/ports.js';
import { waitAtRest } from '../support/at-rest.js';
import { type ChildRole, spawnRoles } from '../support/child-role.js';
import { seeded } from '../support/random.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';

const SEED = 5;
const WALLETS = 5;
const CLIENTS = 20;
const COMMANDS_PER_CLIENT = 40;

describe('parallel decisions', () => {
  let stack: TestStack;
  let second: ChildRole;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor', 'projector'] });
    second = await spawnRoles('processor', { NATS_URL: stack.server.url });
  });
  afterAll(async () => {
    await second?.kill();
    await stack?.stop();
  });

  it('keep each wallet sequential: 20 clients on 5 wallets, two processors', { timeout: 120_000 }, async () => {
    const random = seeded(SEED);
    const owner = user('shared-owner');
    const wallets: string[] = [];
    for (let w = 0; w < WALLETS; w++) wallets.push((await stack.app.submit({ principal: owner, command: { type: 'CreateWallet', data: { name: `w${w}` } }, consistency: 'DECIDED' })).walletId as string);

    const sent: Array<{ commandId: string; outcome: CommandOutcome }> = [];
    const plans = Array.from({ length: CLIENTS }, () =>
      Array.from({ length: COMMANDS_PER_CLIENT }, () => ({
        walletId: random.pick(wallets),
        withdraw: random.next() < 0.5,
        amount: `${random.between(1, 40)}.00`,
        consistency: random.next() < 0.5 ? ('DECIDED' as const) : ('QUEUED' as const),
      })),
    );
    await Promise.all(
      plans.map(async (plan) => {
        for (const { walletId, withdraw, amount, consistency } of plan) {
          const command = withdraw ? ({ type: 'Withdraw', data: { walletId, asset: 'USD', amount } } as const) : ({ type: 'Deposit', data: { walletId, asset: 'USD', amount } } as const);
          const outcome = await stack.app.submit({ principal: owner, command, consistency });
          sent.push({ commandId: outcome.commandId, outcome });
        }
      }),
    );

    const events = await waitAtRest(stack, sent);
    // Withdrawals really raced for the same funds: some lost.
    const decided = await Promise.all(sent.map((s) => stack.app.commandStatus(s.commandId)));
    expect(decided.filter((o) => o?.code === 'INSUFFICIENT_FUNDS').length).toBeGreaterThan(10);
    expect(decided.filter((o) => o?.state === 'ACCEPTED').length).toBeGreaterThan(CLIENTS * COMMANDS_PER_CLIENT * 0.5);

    // One event per accepted command, versions 1..n per wallet, no balance ever negative.
    const audit = auditJournal(events, { atRest: true });
    expect(audit.violations).toEqual([]);
    for (const walletId of wallets) {
      const versions = events.filter((s) => s.event.walletId === walletId).map((s) => s.event.version);
      expect(versions, `versions of ${walletId}`).toEqual(versions.map((_, i) => i + 1));
    }
    const verification = await runVerification({ nats: stack.nats, client: stack.mongo.client, db: stack.mongo.db, atRest: true });
    expect(verification.problems).toEqual([]);
  });
});
