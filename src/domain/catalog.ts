import type { AssetCatalog, AssetDefinition } from './asset.js';
import type { RegisterAsset } from './commands.js';
import { formatAmount, units } from './money.js';

const asset = (code: string, decimals: number, networks: readonly string[], min: string, max: string): AssetDefinition => ({
  code,
  decimals,
  networks,
  minAmount: units(min, decimals),
  maxAmount: units(max, decimals),
});

/** Registered at first start (as RegisterAsset commands, so the journal stays the only source of truth). */
export const DEFAULT_ASSETS: readonly AssetDefinition[] = [
  asset('BTC', 8, ['bitcoin'], '0.00001', '1000'),
  asset('ETH', 18, ['ethereum'], '0.0001', '10000'),
  asset('USDT', 6, ['ethereum', 'tron'], '0.01', '10000000'),
  asset('USD', 2, ['fiat'], '0.01', '10000000'),
];

export const catalogFrom = (assets: Iterable<AssetDefinition>): AssetCatalog =>
  new Map([...assets].map((a): [string, AssetDefinition] => [a.code, a]));

/** The command data that registers `asset`: limits back in the decimal form the API speaks. */
export const registrationOf = (asset: AssetDefinition): RegisterAsset['data'] => ({
  code: asset.code,
  decimals: asset.decimals,
  networks: asset.networks,
  minAmount: asset.minAmount === null ? undefined : formatAmount(asset.minAmount, asset.decimals),
  maxAmount: asset.maxAmount === null ? undefined : formatAmount(asset.maxAmount, asset.decimals),
});
