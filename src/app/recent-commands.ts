/**
 * The command ids an aggregate accepted last, with where their events landed: the aggregate's own
 * duplicate check, bounded. It only has to cover what the outcome store cannot know yet: a command
 * handled twice at the same time (a redelivery while the first processor is still at it), whose
 * twin's event shows up in the catch-up after a conflict. Duplicates from further back are answered
 * by the outcome store (7 days), and a crash between an append and its outcome by the attempt log
 * (see AttemptLog in ports.ts), so the aggregate never needs every id it ever saw: a 20,000-event
 * wallet keeps as many as a fresh one.
 */
import type { RecentCommand } from '../ports.js';

export const RECENT_COMMANDS = 128;

export class RecentCommands {
  private constructor(private readonly entries: readonly RecentCommand[]) {}

  static empty(): RecentCommands {
    return new RecentCommands([]);
  }

  /** From a snapshot (oldest first); only the newest RECENT_COMMANDS count. */
  static of(entries: readonly RecentCommand[]): RecentCommands {
    return new RecentCommands(entries.slice(-RECENT_COMMANDS));
  }

  find(commandId: string): RecentCommand | undefined {
    // Newest first: a duplicate is almost always of a command just accepted.
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.commandId === commandId) return this.entries[i];
    return undefined;
  }

  /** A copy with `added` (oldest first) appended, trimmed to the bound. */
  with(added: readonly RecentCommand[]): RecentCommands {
    if (added.length === 0) return this;
    return new RecentCommands([...this.entries, ...added].slice(-RECENT_COMMANDS));
  }

  toArray(): readonly RecentCommand[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }
}
