/** The domain's public surface: everything outside src/domain imports from here or from the vocabulary files. */
export type { AssetCatalog, AssetDefinition } from './asset.js';
export * from './asset.aggregate.js';
export * from './catalog.js';
export type * from './commands.js';
export * from './decision.js';
export type * from './events.js';
export * from './instant.js';
export * from './limits.js';
export type * from './metadata.js';
export * from './money.js';
export * from './rejection.js';
export * from './wallet.decide.js';
export * from './wallet.evolve.js';
export * from './wallet.state.js';
