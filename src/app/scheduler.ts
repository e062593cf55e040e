/**
 * Fires scheduled transfers when due. It only sends a command: the command id is derived from the
 * transfer, its executeAt and the resend window, so scheduler instances (or ticks) sending it for
 * the same due transfer share one id, and a transfer rescheduled meanwhile refuses a stale one.
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
        // A scheduled transfer always has its time; one without could not be due.
        if (transfer.executeAt === null) continue;
        const executeAt = transfer.executeAt.toISOString();
        const key = `${transfer.id}:${executeAt}`;
        if (sentAt.has(key)) continue;
        await bus.publish({
          type: 'ExecuteScheduledTransfer',
          data: { walletId: transfer.fromWalletId, transferId: transfer.id, executeAt },
          metadata: {
            // Per resend window, not per transfer: a refusal (say, a processor whose clock is
            // behind ours found it not yet due) is recorded against its command id, and a retry
            // under the same id would get that refusal back forever. Executing twice is impossible
            // either way: the wallet runs a transfer only while it is SCHEDULED.
            commandId: ids.derive(`transfer:${transfer.id}:execute:${executeAt}:${Math.floor(now.getTime() / RESEND_AFTER_MS)}`),
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
