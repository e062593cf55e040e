/**
 * Live notifications on core NATS (`live.>`, not stored): the projector publishes after each
 * write; every API instance subscribes only to the topics its clients watch.
 */
import { type NatsConnection, headers } from 'nats';
import { createAsyncQueue } from '../../app/async-queue.js';
import type { LiveBus, LiveNotification, LiveTopic } from '../../ports.js';
import { failpoint } from '../failpoints.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { decodeJson, encodeJson } from './json.js';

const topicSubject = (topic: LiveTopic): string => {
  switch (topic.kind) {
    case 'balance':
      return `live.balance.${topic.walletId}`;
    case 'entry':
      return `live.entry.${topic.walletId}`;
    case 'wallet':
      return `live.wallet.${topic.walletId}`;
    case 'transfer':
      return `live.transfer.${topic.transferId}`;
    default: {
      const exhaustive: never = topic;
      return exhaustive;
    }
  }
};

const notificationSubject = (n: LiveNotification): string => {
  switch (n.kind) {
    case 'balance':
      return topicSubject({ kind: 'balance', walletId: n.balance.walletId });
    case 'entry':
      return topicSubject({ kind: 'entry', walletId: n.entry.walletId });
    case 'wallet':
      return topicSubject({ kind: 'wallet', walletId: n.walletId });
    case 'transfer':
      return topicSubject({ kind: 'transfer', transferId: n.transfer.id });
    default: {
      const exhaustive: never = n;
      return exhaustive;
    }
  }
};

/** Dates travel as ISO strings; restore them so subscribers see the same shapes as queries. */
const revive = (n: LiveNotification): LiveNotification => {
  const date = (v: unknown) => (v == null ? null : new Date(v as string));
  switch (n.kind) {
    case 'balance':
      return { kind: 'balance', balance: { ...n.balance, updatedAt: date(n.balance.updatedAt) as Date } };
    case 'entry':
      return { kind: 'entry', entry: { ...n.entry, occurredAt: date(n.entry.occurredAt) as Date } };
    case 'transfer':
      return {
        kind: 'transfer',
        transfer: {
          ...n.transfer,
          createdAt: date(n.transfer.createdAt) as Date,
          executeAt: date(n.transfer.executeAt),
          completedAt: date(n.transfer.completedAt),
        },
      };
    case 'wallet':
      return n;
    default: {
      const exhaustive: never = n;
      return exhaustive;
    }
  }
};

/**
 * With tracing on, a notification's `traceparent` header continues the trace of the event it
 * announces (LiveNotification.trace), and a subscriber's delivery joins it.
 */
export function createNatsLiveBus(nc: NatsConnection, tracing: Tracing = NO_TRACING): LiveBus {
  const traced = async (n: LiveNotification): Promise<void> => {
    const { trace, ...body } = n;
    const subject = notificationSubject(n);
    const h = headers();
    await tracing.send(subject, h, { parent: trace }, async () => nc.publish(subject, encodeJson(body), { headers: h }));
  };
  return {
    async publish(notifications) {
      for (const [i, n] of notifications.entries()) {
        if (i === 1) void failpoint('projector.mid-notify');
        if (tracing.enabled) await traced(n);
        else nc.publish(notificationSubject(n), encodeJson(n));
      }
      // Flush so a notification never sits in our buffer while a client waits for it.
      await nc.flush();
    },

    async subscribe(topic, signal) {
      const queue = createAsyncQueue<LiveNotification>(signal);
      // Already over (the client left while we were getting here): no subscription to leak.
      if (signal.aborted) return queue;
      const sub = nc.subscribe(topicSubject(topic), {
        callback: (error, msg) => {
          if (error) return;
          const notification = revive(decodeJson(msg.data) as LiveNotification);
          // Headers are parsed on first access: an api that does not trace leaves them alone.
          const trace = tracing.enabled ? tracing.contextOf(msg.headers) : undefined;
          queue.push(trace === undefined ? notification : { ...notification, trace });
        },
      });
      signal.addEventListener('abort', () => sub.unsubscribe(), { once: true });
      // The subscription must be live at the server before the caller reads current state.
      await nc.flush();
      return queue;
    },
  };
}
