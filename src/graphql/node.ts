import type { LedgerEntryView, TransferView, WalletView } from '../ports.js';
import { visibleTransfer, visibleWallet } from './access.js';
import { builder } from './builder.js';
import { idSchema, parseInput } from './validation.js';

export type NodeShape = WalletView | TransferView | LedgerEntryView;

export const NodeRef = builder.interfaceRef<NodeShape>('Node').implement({
  fields: (t) => ({ id: t.exposeID('id') }),
  // The read models are plain documents; each kind has a field no other kind has.
  resolveType: (value) => ('ownerId' in value ? 'Wallet' : 'fromWalletId' in value ? 'Transfer' : 'LedgerEntry'),
});

builder.queryField('node', (t) =>
  t.field({
    type: NodeRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseInput(idSchema, args.id, 'id');
      // Ids are UUIDs, unique across kinds: ask every loader at once, answer with whichever knows it.
      const [wallet, transfer, entry] = await Promise.all([
        ctx.loaders.walletById.load(id),
        ctx.loaders.transferById.load(id),
        ctx.loaders.entryById.load(id),
      ]);
      if (wallet) return visibleWallet(ctx, id);
      if (transfer) return visibleTransfer(ctx, id);
      // Someone else's object answers like an unknown id: null.
      if (entry) return (await visibleWallet(ctx, entry.walletId)) === null ? null : entry;
      return null;
    },
  }),
);
