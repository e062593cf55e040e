/**
 * Version-1 events written by hand into a real JOURNAL (as a release before event versioning wrote
 * them: no `schemaVersion`, TransferFailed without `reasonCode`) are read back as current shapes
 * on every read path: the processor decides on them, the saga and projector take them in, verify
 * audits them and time travel folds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJson } from '../../src/infra/nats/json.js';
import { journalSubject } from '../../src/infra/nats/topology.js';
import { readJournal } from '../support/journal.js';
import { projectorsOf } from '../support/projectors.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const W = 'v1-wallet';
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const envelope = (version: number, type: string, data: Record<string, unknown>) => ({
  id: `v1-e${version}`,
  type,
  walletId: W,
  version,
  occurredAt: at(version),
  commandId: `v1-c${version}`,
  correlationId: 'v1',
  actor: 'alice',
  data,
});

/** The wallet's history as the old release wrote it, down to the JSON. */
const V1_HISTORY = [
  envelope(1, 'WalletCreated', { ownerId: 'alice', name: 'Old' }),
  envelope(2, 'FundsDeposited', { asset: 'USD', amount: '10', network: 'fiat', totalAfter: '10', reservedAfter: '0' }),
  envelope(3, 'TransferDebited', { transferId: 'v1-t', toWalletId: 'gone', asset: 'USD', amount: '4', totalAfter: '6', reservedAfter: '0' }),
  envelope(4, 'TransferFailed', { transferId: 'v1-t', asset: 'USD', amount: '4', reason: 'WALLET_NOT_FOUND: destination wallet gone does not exist', stage: 'DEBITED', totalAfter: '10', reservedAfter: '0' }),
];

describe('version-1 events in the journal', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor', 'projector'] });
    for (const event of V1_HISTORY) {
      await stack.nats.js.publish(journalSubject({ kind: 'wallet', id: W }, stack.topology), encodeJson(event), { msgID: event.id });
    }
  });
  afterAll(() => stack?.stop());

  it('are read back as the current shape, schema version included', async () => {
    const failed = (await readJournal(stack.nats)).find((s) => s.event.id === 'v1-e4')?.event;
    expect(failed).toMatchObject({ type: 'TransferFailed', schemaVersion: 2, data: { reasonCode: 'WALLET_NOT_FOUND', stage: 'DEBITED', totalAfter: '10' } });
  });

  it('the processor decides on them, and writes the current version after them', async () => {
    const outcome = await stack.app.submit({ principal: user('alice'), command: { type: 'Withdraw', data: { walletId: W, asset: 'USD', amount: '10' } }, consistency: 'PROJECTED' });
    expect(outcome).toMatchObject({ state: 'ACCEPTED', aggregateVersion: 5 });
    const written = (await readJournal(stack.nats)).find((s) => s.event.walletId === W && s.event.version === 5)?.event;
    expect(written).toMatchObject({ type: 'FundsWithdrawn', schemaVersion: 1, data: { totalAfter: '0' } });
  });

  it('the projector projected them, verify audits them clean, and time travel folds them', async () => {
    await waitFor(async () => (await stack.app.read.transfersByIds(['v1-t']))[0]?.status === 'FAILED', { message: 'the v1 transfer projected' });
    expect((await stack.app.read.balancesByWalletIds([W]))[0]).toMatchObject({ total: '0', version: 5 });
    expect(await projectorsOf(stack).verify()).toEqual([]);
    const then = await stack.app.walletAsOf({ principal: user('alice'), walletId: W, cut: { kind: 'version', version: 4 } });
    expect(then).toMatchObject({ name: 'Old', version: 4, balances: [{ asset: 'USD', total: '10', reserved: '0', version: 4 }] });
  });
});
