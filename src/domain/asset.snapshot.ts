/** The asset state as JSON for snapshots (an asset has one event, so this exists for uniformity more than speed). */
import type { AssetState } from './asset.aggregate.js';
import type { AssetDefinition } from './asset.js';
import { field, list, text, units, whole, type Json, type StateCodec } from './state-codec.js';

export const ASSET_STATE_SHAPE = 1;

export const assetStateCodec: StateCodec<AssetState> = {
  shape: ASSET_STATE_SHAPE,
  encode: (s): Json => ({
    code: s.code,
    version: s.version,
    asset:
      s.asset === null
        ? null
        : {
            code: s.asset.code,
            decimals: s.asset.decimals,
            networks: [...s.asset.networks],
            minAmount: s.asset.minAmount === null ? null : s.asset.minAmount.toString(),
            maxAmount: s.asset.maxAmount === null ? null : s.asset.maxAmount.toString(),
          },
  }),

  decode(json, id) {
    const version = whole(field(json, 'version'));
    if (text(field(json, 'code')) !== id || version === undefined) return null;
    const raw = field(json, 'asset');
    if (raw === null) return { code: id, version, asset: null };
    const limit = (value: unknown): bigint | null | undefined => (value === null ? null : units(value));
    const [code, decimals, networks] = [text(field(raw, 'code')), whole(field(raw, 'decimals')), list(field(raw, 'networks'), text)];
    const [minAmount, maxAmount] = [limit(field(raw, 'minAmount')), limit(field(raw, 'maxAmount'))];
    if (code === undefined || decimals === undefined || networks === undefined || minAmount === undefined || maxAmount === undefined) return null;
    const asset: AssetDefinition = { code, decimals, networks, minAmount, maxAmount };
    return { code: id, version, asset };
  },
};
