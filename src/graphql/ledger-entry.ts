import type { LedgerEntryView } from '../ports.js';
import { mayWatchWallet } from './access.js';
import { builder } from './builder.js';
import { deliver, liveIterable, renewLoaders, untilAborted } from './live.js';
import { NodeRef } from './node.js';
import { PageInfoRef, type Connection, type Edge } from './page-info.js';
import { idSchema, parseInput } from './validation.js';

export const EntryTypeEnum = builder.enumType('EntryType', {
  values: ['DEPOSIT', 'WITHDRAWAL', 'TRANSFER_OUT', 'TRANSFER_IN', 'TRANSFER_REFUND', 'RESERVE', 'RELEASE'] as const,
});

export const LedgerEntryRef = builder.objectRef<LedgerEntryView>('LedgerEntry').implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    walletId: t.exposeID('walletId'),
    asset: t.exposeString('asset'),
    type: t.expose('type', { type: EntryTypeEnum }),
    amount: t.expose('amount', { type: 'Decimal' }),
    totalAfter: t.expose('totalAfter', { type: 'Decimal' }),
    reservedAfter: t.expose('reservedAfter', { type: 'Decimal' }),
    transferId: t.exposeID('transferId', { nullable: true }),
    commandId: t.exposeID('commandId'),
    version: t.exposeInt('version'),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

const LedgerEntryEdgeRef = builder.objectRef<Edge<LedgerEntryView>>('LedgerEntryEdge').implement({
  fields: (t) => ({ node: t.expose('node', { type: LedgerEntryRef }), cursor: t.exposeString('cursor') }),
});

export const LedgerEntryConnectionRef = builder.objectRef<Connection<LedgerEntryView>>('LedgerEntryConnection').implement({
  fields: (t) => ({
    edges: t.expose('edges', { type: [LedgerEntryEdgeRef] }),
    pageInfo: t.expose('pageInfo', { type: PageInfoRef }),
  }),
});

builder.subscriptionField('walletActivity', (t) =>
  t.field({
    type: LedgerEntryRef,
    description: 'Every ledger entry of the wallet as it is projected.',
    args: { walletId: t.arg.id({ required: true }) },
    authScopes: (_root, args, ctx) => mayWatchWallet(ctx, parseInput(idSchema, args.walletId, 'walletId')),
    subscribe: (_root, args, ctx) =>
      liveIterable(async function* (signal) {
        const live = await ctx.app.live.subscribe({ kind: 'entry', walletId: args.walletId }, signal);
        for await (const notification of untilAborted(live, signal)) {
          if (notification.kind !== 'entry') continue;
          renewLoaders(ctx);
          yield* deliver(ctx, 'walletActivity', notification.trace, notification.entry);
        }
      }),
    resolve: (entry: LedgerEntryView) => entry,
  }),
);
