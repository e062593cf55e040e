/** The two aggregates of the ledger as Decider records. */
import { decideAsset, evolveAsset, initialAssetState, type AssetState } from './asset.aggregate.js';
import type { AssetCommand, WalletCommand } from './commands.js';
import type { Decider } from './decider.js';
import type { AssetEvent, WalletEvent } from './events.js';
import { decideWallet, type WalletContext } from './wallet.decide.js';
import { evolveWallet } from './wallet.evolve.js';
import { initialWalletState, type WalletState } from './wallet.state.js';

export const walletDecider: Decider<WalletCommand, WalletEvent, WalletState, WalletContext> = {
  initialState: initialWalletState,
  decide: decideWallet,
  evolve: (state, event, { assets }) => evolveWallet(state, event, assets),
};

export const assetDecider: Decider<AssetCommand, AssetEvent, AssetState> = {
  initialState: initialAssetState,
  decide: (command, state) => decideAsset(command, state),
  evolve: (state, event) => evolveAsset(state, event),
};
