/** The vocabulary `verify` and its transfer checks share (kept apart so neither imports the other). */

/** 1: balances and versions; 2: conservation; 4: one effect per command; 5: transfers. */
export type InvariantNumber = 1 | 2 | 4 | 5;

export type Violation = Readonly<{ invariant: InvariantNumber; seq: number | null; message: string }>;

/** How one event moves an asset: the change to a wallet's total and reserved, and to supply and money in flight. */
export type Movement = Readonly<{ asset: string; total: string; reserved: string; supply?: string; inFlight?: string }>;
