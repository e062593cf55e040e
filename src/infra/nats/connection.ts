import { type JetStreamClient, type JetStreamManager, type NatsConnection, connect } from 'nats';

export type Nats = Readonly<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }>;

/** One connection per process; reconnects forever, since NATS restarts are part of normal operation. */
export async function connectNats(url: string, name: string): Promise<Nats> {
  const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager() };
}
