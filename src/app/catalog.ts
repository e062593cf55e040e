/**
 * The asset catalog as one process knows it, read from the journal's asset events. Deciding and
 * folding wallets needs it (it holds each asset's scale), and it can be stale: another process may
 * have registered an asset since. Callers that meet an asset it lacks reload it once.
 */
import type { AssetCatalog } from '../domain/asset.js';
import { catalogFromEvents } from '../domain/asset.aggregate.js';
import type { Journal } from '../ports.js';

export type CatalogCache = {
  current(): AssetCatalog;
  reload(): Promise<AssetCatalog>;
};

export async function loadCatalog(journal: Pick<Journal, 'readAssets'>): Promise<CatalogCache> {
  const read = async () => catalogFromEvents((await journal.readAssets()).map((s) => s.event));
  let catalog = await read();
  return {
    current: () => catalog,
    reload: async () => (catalog = await read()),
  };
}
