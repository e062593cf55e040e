import type { AssetCatalog, AssetDefinition } from './asset.js';
import { no, ok, type Check } from './check.js';
import type { AssetCommand, RegisterAsset } from './commands.js';
import { accepted, rejected, type Decision } from './decision.js';
import type { AssetEvent, AssetEventEnvelope, EventEnvelope } from './events.js';
import { ASSET_CODE, ASSET_CODE_RULE, MAX_DECIMALS, MAX_NETWORKS, NETWORK_NAME, NETWORK_NAME_RULE } from './limits.js';
import { formatAmount, parseAmount } from './money.js';
import { reject } from './rejection.js';

/** One asset code's aggregate (`evt.asset.<code>`): registered once, then never changed. */
export type AssetState = Readonly<{
  code: string;
  /** null until AssetRegistered. */
  asset: AssetDefinition | null;
  version: number;
}>;

export const initialAssetState = (code: string): AssetState => ({ code, asset: null, version: 0 });

export const evolveAsset = (state: AssetState, event: AssetEventEnvelope): AssetState => {
  switch (event.type) {
    case 'AssetRegistered':
      return { ...state, asset: definitionOf(event), version: event.version };
    default: {
      const _exhaustive: never = event.type;
      return _exhaustive;
    }
  }
};

/** The catalog as the journal's asset events describe it; any other event is ignored. */
export const catalogFromEvents = (envelopes: Iterable<EventEnvelope>): AssetCatalog => {
  const catalog = new Map<string, AssetDefinition>();
  for (const envelope of envelopes) {
    if (envelope.type !== 'AssetRegistered') continue;
    const definition = definitionOf(envelope);
    // Registration is first-wins: a second AssetRegistered for a code could only come from a race the decider lost.
    if (!catalog.has(definition.code)) catalog.set(definition.code, definition);
  }
  return catalog;
};

const definitionOf = (event: AssetEvent): AssetDefinition => {
  const { code, decimals, networks, minAmount, maxAmount } = event.data;
  const limit = (text: string | null): bigint | null => {
    if (text === null) return null;
    const parsed = parseAmount(text, decimals);
    if (!parsed.ok) throw new Error(`AssetRegistered for ${code} holds an unreadable limit: ${parsed.reason}`);
    return parsed.units;
  };
  return { code, decimals, networks: [...networks], minAmount: limit(minAmount), maxAmount: limit(maxAmount) };
};

// ---------------------------------------------------------------- decide

/** Only admins (and the system, seeding the default catalog) register assets; an asset never changes afterwards. */
export const decideAsset = (command: AssetCommand, state: AssetState): Decision<AssetEvent> => {
  const { metadata } = command;
  if (!metadata.admin && metadata.actor !== 'system') {
    return rejected(reject('FORBIDDEN', `only an admin may register assets, not ${metadata.actor}`));
  }
  switch (command.type) {
    case 'RegisterAsset':
      return registerAsset(command, state);
    default: {
      const _exhaustive: never = command.type;
      return _exhaustive;
    }
  }
};

const registerAsset = (command: RegisterAsset, state: AssetState): Decision<AssetEvent> => {
  const checked = checkDefinition(command.data);
  if (!checked.ok) return rejected(checked.rejection);
  const definition = checked.value;
  if (state.asset !== null) return rejected(reject('ASSET_EXISTS', `asset ${definition.code} is already registered`));
  const limit = (units: bigint | null) => (units === null ? null : formatAmount(units, definition.decimals));
  return accepted({
    type: 'AssetRegistered',
    data: {
      code: definition.code,
      decimals: definition.decimals,
      networks: definition.networks,
      minAmount: limit(definition.minAmount),
      maxAmount: limit(definition.maxAmount),
    },
  });
};

const invalid = <T = never>(message: string): Check<T> => no(reject('INVALID_ASSET', message));

const checkDefinition = (data: RegisterAsset['data']): Check<AssetDefinition> => {
  const { code, decimals, networks } = data;
  if (!ASSET_CODE.test(code)) {
    return invalid(`asset code "${code.slice(0, 32)}" ${ASSET_CODE_RULE}`);
  }
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    return invalid(`decimals must be a whole number from 0 to ${MAX_DECIMALS}, not ${decimals}`);
  }
  if (networks.length < 1 || networks.length > MAX_NETWORKS) {
    return invalid(`an asset needs 1 to ${MAX_NETWORKS} networks, not ${networks.length}`);
  }
  const badNetwork = networks.find((n) => !NETWORK_NAME.test(n));
  if (badNetwork !== undefined) {
    return invalid(`network "${badNetwork.slice(0, 40)}" ${NETWORK_NAME_RULE}`);
  }
  const repeated = networks.find((n, i) => networks.indexOf(n) !== i);
  if (repeated !== undefined) return invalid(`network ${repeated} is listed twice`);

  const limit = (name: string, text: string | undefined): Check<bigint | null> => {
    if (text === undefined) return ok(null);
    const parsed = parseAmount(text, decimals);
    if (!parsed.ok) return invalid(`${name} is invalid: ${parsed.reason}`);
    if (parsed.units <= 0n) return invalid(`${name} must be greater than 0`);
    return ok(parsed.units);
  };
  const min = limit('minAmount', data.minAmount);
  if (!min.ok) return min;
  const max = limit('maxAmount', data.maxAmount);
  if (!max.ok) return max;
  const [minAmount, maxAmount] = [min.value, max.value];
  if (minAmount !== null && maxAmount !== null && minAmount > maxAmount) {
    return invalid(`minAmount ${formatAmount(minAmount, decimals)} is above maxAmount ${formatAmount(maxAmount, decimals)}`);
  }
  return ok({ code, decimals, networks: [...networks], minAmount, maxAmount });
};
