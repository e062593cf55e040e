/**
 * Fires scheduled transfers when due. It only sends a command: the command id is derived from the
 * transfer and its executeAt, so any number of scheduler instances (or ticks) sending it for the
 * same due transfer have one effect, and a transfer rescheduled meanwhile refuses a stale one.
 */
import type { Clock, CommandBus, Ids, ReadStore } from '../ports.js';

export type Scheduler = { tick(): Promise<number> };

const RESEND_AFTER_MS = 5_000;

export function createScheduler(deps: { read: ReadStore; bus: CommandBus; clock: Clock; ids: Ids; batch?: number }): Scheduler {
  const { read, bus, clock, ids, batch = 200 } = deps;
  // Due transfers stay "SCHEDULED" in the read model until the projector catches up: don't resend every tick.
  const sentAt = new Map<string, number>();

  return {
    async tick() {
      const now = clock.now();
      const due = await read.dueTransfers(now, batch);
      for (const [key, at] of sentAt) if (now.getTime() - at > RESEND_AFTER_MS) sentAt.delete(key);
      let sent = 0;
      for (const transfer of due) {
        const executeAt = (transfer.executeAt as Date).toISOString();
        const key = `${transfer.id}:${executeAt}`;
        if (sentAt.has(key)) continue;
        await bus.publish({
          type: 'ExecuteScheduledTransfer',
          data: { walletId: transfer.fromWalletId, transferId: transfer.id, executeAt },
          metadata: {
            commandId: ids.derive(`transfer:${transfer.id}:execute:${executeAt}`),
            correlationId: transfer.id,
            actor: 'system',
            admin: true,
            issuedAt: now.toISOString(),
          },
        });
        sentAt.set(key, now.getTime());
        sent++;
      }
      return sent;
    },
  };
}
