/**
 * Names of everything JetLedger keeps in NATS. The stream and subject names are a public
 * contract (contract/events.md): operators and other services read them with the NATS CLI.
 */
import type { AggregateRef } from '../../ports.js';

export const STREAMS = { commands: 'COMMANDS', journal: 'JOURNAL', dlq: 'DLQ' } as const;
export const OUTCOMES_BUCKET = 'COMMAND_OUTCOMES';

export const CONSUMERS = {
  processor: 'processor',
  projector: 'projector',
  saga: 'transfer-saga',
} as const;

export const commandSubject = (ref: AggregateRef): string => `cmd.${ref.kind}.${ref.id}`;
export const journalSubject = (ref: AggregateRef): string => `evt.${ref.kind}.${ref.id}`;
export const dlqSubject = (stream: string, consumer: string): string => `dlq.${stream}.${consumer}`;

/** Ids become subject tokens: only characters that cannot split or wildcard a subject. */
export const isSubjectToken = (id: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(id);
