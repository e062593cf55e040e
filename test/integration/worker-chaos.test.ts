/**
 * The scenario an operator ran against the first projector: 20 clients send thousands of deposits
 * and withdrawals with idempotency keys, retrying what fails, while the process running the
 * processor and the projector is SIGKILLed five times in the middle of the traffic. The read
 * models must equal the journal within seconds of the last command, not stall behind a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalExtent } from '../../src/infra/nats/journal-reader.js';
import type { CommandOutcome } from '../../src/ports.js';
import type { ChildRole } from '../support/child-role.js';
import { type ProjectorsOf, projectorsOf } from '../support/projectors.js';
import { seeded } from '../support/random.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const SEED = 11;
const CLIENTS = 20;
const COMMANDS_PER_CLIENT = 260;
const KILLS = 5;

describe('the worker SIGKILLed five times under traffic', () => {
  let stack: TestStack;
  let workers: ProjectorsOf;

  beforeAll(async () => {
    stack = await startTestStack({ roles: [] });
    workers = projectorsOf(stack);
  });
  afterAll(async () => {
    await workers?.killAll();
    await stack?.stop();
  });

  it('leaves the read models equal to the journal within 10 s of the last command', { timeout: 240_000 }, async () => {
    const random = seeded(SEED);
    let worker: ChildRole = await workers.spawn('processor,projector', { ACK_WAIT_MS: '2000' });
    const owners = Array.from({ length: CLIENTS }, (_, i) => `client-${i}`);
    const wallets = await Promise.all(
      owners.map(async (owner) => {
        const created = await stack.app.submit({ principal: user(owner), command: { type: 'CreateWallet', data: { name: owner } }, consistency: 'DECIDED' });
        return created.walletId as string;
      }),
    );
    const start = (await journalExtent(stack.nats.jsm)).last;
    const killAt = Array.from({ length: KILLS }, (_, k) => start + Math.round(((k + 0.5) * CLIENTS * COMMANDS_PER_CLIENT) / (KILLS + 0.5)));

    const decided: CommandOutcome[] = [];
    /** Sends with the same idempotency key until an answer comes: an error says nothing about whether it was stored. */
    const send = async (owner: string, command: Parameters<TestStack['app']['submit']>[0]['command'], key: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await stack.app.submit({ principal: user(owner), command, idempotencyKey: key, consistency: 'DECIDED' });
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    };
    const clients = owners.map(async (owner, c) => {
      const walletId = wallets[c] as string;
      for (let i = 0; i < COMMANDS_PER_CLIENT; i++) {
        const withdraw = i > 10 && random.next() < 0.3;
        const amount = `${random.between(1, 500)}.${String(random.between(0, 99)).padStart(2, '0')}`;
        const command = withdraw ? ({ type: 'Withdraw', data: { walletId, asset: 'USD', amount } } as const) : ({ type: 'Deposit', data: { walletId, asset: 'USD', amount } } as const);
        decided.push(await send(owner, command, `${owner}-${i}`));
      }
    });
    let kills = 0;
    const killer = (async () => {
      for (const seq of killAt) {
        await waitFor(async () => (await journalExtent(stack.nats.jsm)).last >= seq, { timeoutMs: 120_000, intervalMs: 20, message: `journal seq ${seq}` });
        await worker.kill();
        kills++;
        worker = await workers.spawn('processor,projector', { ACK_WAIT_MS: '2000' });
      }
    })();
    await Promise.all([...clients, killer]);
    const lastAnswerAt = Date.now();
    expect(kills).toBe(KILLS);
    expect(decided).toHaveLength(CLIENTS * COMMANDS_PER_CLIENT);

    // Every command decided (an answer still QUEUED after the wait is decided by now), and projected, within 10 s.
    await waitFor(
      async () => {
        for (const o of decided) if (o.state === 'QUEUED' && (await stack.app.commandStatus(o.commandId))?.state === 'QUEUED') return false;
        return (await workers.lag()) === 0;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'the read models to reach the journal' },
    );
    expect(Date.now() - lastAnswerAt).toBeLessThan(10_000);

    const journal = (await journalExtent(stack.nats.jsm)).last;
    expect(journal - start).toBeGreaterThan(CLIENTS * COMMANDS_PER_CLIENT * 0.6); // most commands were accepted, each once
    expect(await workers.verify()).toEqual([]);
    const views = await stack.app.read.walletsByIds(wallets);
    expect(views).toHaveLength(CLIENTS);
  });
});
