import type { AssetCatalog } from '../domain/asset.js';
import { DEFAULT_ASSETS, registrationOf } from '../domain/catalog.js';
import type { Clock, Ids } from '../ports.js';
import type { Processor } from './processor.js';

/**
 * Registers the default assets on first start. Any number of instances may run this at once:
 * derived command ids and ASSET_EXISTS make each asset one registration.
 */
export async function registerDefaultCatalog(deps: { processor: Processor; catalog: () => AssetCatalog; ids: Ids; clock: Clock }): Promise<void> {
  for (const asset of DEFAULT_ASSETS) {
    if (deps.catalog().has(asset.code)) continue;
    await deps.processor.process({
      type: 'RegisterAsset',
      data: registrationOf(asset),
      metadata: {
        commandId: deps.ids.derive(`catalog:default:${asset.code}`),
        correlationId: 'default-catalog',
        actor: 'system',
        admin: true,
        issuedAt: deps.clock.now().toISOString(),
      },
    });
  }
}
