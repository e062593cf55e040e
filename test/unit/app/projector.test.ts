/** The shard projector over in-memory ports: order of effects, and completions held back for their credit. */
import { describe, expect, it } from 'vitest';
import { createShardProjector } from '../../../src/app/projector.js';
import type { EventEnvelope } from '../../../src/domain/events.js';
import type { Fence, LiveNotification, ProjectionChange, StoredEvent, TransferView } from '../../../src/ports.js';
import { waitFor } from '../../support/wait.js';

const at = '2030-01-01T00:00:00.000Z';
const event = (seq: number, walletId: string, version: number, type: string, data: object): StoredEvent => ({
  seq,
  event: { id: `e${seq}`, type, walletId, version, occurredAt: at, commandId: `c${seq}`, correlationId: 'x', actor: 'system', data } as EventEnvelope,
});
const pending: TransferView = {
  id: 't1',
  fromWalletId: 'src',
  toWalletId: 'dst',
  asset: 'USD',
  amount: '5',
  status: 'PENDING',
  executeAt: null,
  createdAt: new Date(at),
  completedAt: null,
  failureReason: null,
};

function harness(shards: Record<string, string>) {
  const effects: string[] = [];
  const checkpoints = new Map<string, number>();
  const fence: Fence = { shard: 'A', epoch: 1, check: () => undefined };
  const projector = createShardProjector({
    store: {
      checkpoints: async () => [],
      claim: async () => ({ epoch: 1, checkpoint: 0 }),
      write: async (changes: readonly ProjectionChange[]) => void effects.push(`write ${changes.map((c) => c.kind).join(',')}`),
      advance: async (seq: number) => void effects.push(`checkpoint ${seq}`),
    },
    read: { transfersByIds: async () => [pending], checkpoint: async (shard) => checkpoints.get(shard) ?? 0 },
    live: { publish: async (n: readonly LiveNotification[]) => void effects.push(`notify ${n.length}`), subscribe: async () => [] as never },
    fence,
    checkpoint: 0,
    shardOfWallet: (walletId) => shards[walletId] ?? 'A',
  });
  return { projector, effects, checkpoints };
}

describe('the shard projector', () => {
  it('writes, then notifies, then moves the checkpoint', async () => {
    const { projector, effects } = harness({});
    await projector.project([event(3, 'src', 1, 'WalletCreated', { ownerId: 'o', name: 'n' })]);
    expect(effects).toEqual(['write wallet', 'notify 1', 'checkpoint 3']);
  });

  it("holds a transfer's completion back until the destination's shard has projected the credit", async () => {
    const { projector, effects, checkpoints } = harness({ src: 'A', dst: 'B' });
    const projecting = projector.project([event(20, 'src', 4, 'TransferCompleted', { transferId: 't1', creditSeq: 17 })]);
    checkpoints.set('B', 16);
    // The credit (seq 17, shard B) is not visible yet: nothing of the completion may be.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(effects).toEqual([]);
    checkpoints.set('B', 17);
    await projecting;
    expect(effects).toEqual(['write wallet,transfer', 'notify 2', 'checkpoint 20']);
  });

  it('writes and checkpoints what comes before a held-back completion, so no two shards ever wait on each other', async () => {
    const { projector, effects, checkpoints } = harness({ src: 'A', dst: 'B' });
    const projecting = projector.project([
      event(18, 'src', 3, 'FundsDeposited', { asset: 'USD', amount: '1', network: 'fiat', totalAfter: '1', reservedAfter: '0' }),
      event(20, 'src', 4, 'TransferCompleted', { transferId: 't1', creditSeq: 19 }),
      event(22, 'src', 5, 'FundsDeposited', { asset: 'USD', amount: '1', network: 'fiat', totalAfter: '2', reservedAfter: '0' }),
    ]);
    await waitFor(() => effects.includes('checkpoint 18'), { message: 'the events before the completion to be projected' });
    expect(effects).toEqual(['write wallet,balance,entry', 'notify 3', 'checkpoint 18']);
    checkpoints.set('B', 19);
    await projecting;
    expect(effects.slice(3)).toEqual(['write wallet,transfer,wallet,balance,entry', 'notify 4', 'checkpoint 22']);
  });

  it('does not wait when the credit is in its own shard, or when the event names no credit', async () => {
    const same = harness({ src: 'A', dst: 'A' });
    await same.projector.project([event(20, 'src', 4, 'TransferCompleted', { transferId: 't1', creditSeq: 17 })]);
    expect(same.effects).toContain('checkpoint 20');
    const old = harness({ src: 'A', dst: 'B' });
    await old.projector.project([event(20, 'src', 4, 'TransferCompleted', { transferId: 't1' })]);
    await waitFor(() => old.effects.includes('checkpoint 20'));
  });
});
