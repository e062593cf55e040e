import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/app/scheduler.js';
import { systemIds } from '../../../src/infra/system.js';
import type { CommandMessage, ReadStore, TransferView } from '../../../src/ports.js';

const due: TransferView = {
  id: 't-1',
  fromWalletId: 'w-from',
  toWalletId: 'w-to',
  asset: 'USD',
  amount: '5',
  status: 'SCHEDULED',
  executeAt: new Date('2026-11-22T10:00:00.000Z'),
  createdAt: new Date('2026-11-22T09:00:00.000Z'),
  completedAt: null,
  failureReason: null,
};

function rig() {
  let now = new Date('2026-11-22T10:00:00.100Z');
  const sent: CommandMessage[] = [];
  const read = { dueTransfers: async (at: Date) => (due.executeAt! <= at ? [due] : []) } as unknown as ReadStore;
  const scheduler = createScheduler({ read, bus: { publish: async (c) => void sent.push(c) }, clock: { now: () => now }, ids: systemIds });
  return { scheduler, sent, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('the scheduler', () => {
  it('sends a due transfer once per resend window, to its source wallet, as the system', async () => {
    const { scheduler, sent, advance } = rig();
    expect(await scheduler.tick()).toBe(1);
    expect(sent[0]).toMatchObject({
      type: 'ExecuteScheduledTransfer',
      data: { walletId: 'w-from', transferId: 't-1', executeAt: '2026-11-22T10:00:00.000Z' },
      metadata: { actor: 'system', admin: true },
    });
    advance(1_000);
    expect(await scheduler.tick()).toBe(0);
  });

  it('retries under a new command id when the transfer is still scheduled a window later', async () => {
    const { scheduler, sent, advance } = rig();
    await scheduler.tick();
    advance(5_500);
    expect(await scheduler.tick()).toBe(1);
    expect(sent).toHaveLength(2);
    // A refusal recorded for the first id (e.g. a processor clock behind ours) must not block the retry.
    expect(sent[1]!.metadata.commandId).not.toBe(sent[0]!.metadata.commandId);
  });

  it('gives two schedulers in the same window the same command id', async () => {
    const a = rig();
    const b = rig();
    await a.scheduler.tick();
    await b.scheduler.tick();
    expect(a.sent[0]!.metadata.commandId).toBe(b.sent[0]!.metadata.commandId);
  });
});
