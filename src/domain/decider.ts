/**
 * One aggregate's rules as a record of three pure functions, after Emmett's `Decider`
 * (event-driven-io/emmett): `initialState`, `decide` and `evolve`. The generic command handler
 * (src/app/command-handler.ts) runs any decider the same way; nothing about wallets or assets is
 * spelled out there.
 *
 * Two differences from Emmett's shape, both because of what this ledger is: a decision yields
 * exactly one event or a rejection (see decision.ts), and both functions get the `Knowledge` every
 * process shares (the asset catalog, whose scales read and write amounts); `decide` may get more
 * (a transfer's destination) through its context.
 */
import type { AssetCatalog } from './asset.js';
import type { Decision } from './decision.js';
import type { DomainEvent, EnvelopeOf } from './events.js';

/** What every process knows beyond one aggregate's events: the catalog, built from the asset aggregates. */
export type Knowledge = Readonly<{ assets: AssetCatalog }>;

export type Decider<Command, Event extends DomainEvent, State, Context extends Knowledge = Knowledge> = Readonly<{
  /** The state before the aggregate's first event; `id` is the aggregate's own (a wallet id, an asset code). */
  initialState(id: string): State;
  decide(command: Command, state: State, context: Context): Decision<Event>;
  /** Folds one journal event, as stored (its version and time count), into the state. */
  evolve(state: State, event: EnvelopeOf<Event>, knowledge: Knowledge): State;
}>;
