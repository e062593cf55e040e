import { type ConnectionOptions, type JetStreamClient, type JetStreamManager, type NatsConnection, connect } from 'nats';

export type Nats = Readonly<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }>;

/** One connection per process; reconnects forever, since NATS restarts are part of normal operation. */
export async function connectNats(url: string, name: string): Promise<Nats> {
  // noAsyncTraces: no Error (and stack) captured per request just in case it fails: measured as a few % of the api's CPU.
  const nc = await connect({ ...natsServerOptions(url), name, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: true });
  return { nc, js: nc.jetstream(), jsm: await nc.jetstreamManager() };
}

/**
 * NATS_URL may carry credentials (nats://user:pass@host:4222 or nats://token@host:4222), as the
 * NATS CLI and the Go client accept; nats.js ignores them in a URL, so they move to the options.
 */
export function natsServerOptions(url: string): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token'> {
  const parsed = new URL(url);
  if (!parsed.username) return { servers: url };
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const servers = parsed.toString().replace(/\/$/, '');
  return pass === '' ? { servers, token: user } : { servers, user, pass };
}
