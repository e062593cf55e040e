/**
 * The JetStream limits, raw publish and expected-sequence appends, each measured in two rounds,
 * alternately, the faster round kept. On a shared machine other work only ever slows a round
 * down, so the faster of two is nearer what the server itself can do; alternating keeps one
 * burst of outside load from landing on one limit only. Both rounds are reported.
 */
import type { NatsConnection } from 'nats';
import { type AppendResult, expectedSequenceAppends } from './expected-append.js';
import { type RawPublishResult, rawPublish } from './raw-publish.js';
import { perSecond } from './stats.js';

const ROUNDS = 2;

export type Limits = Readonly<{
  raw: RawPublishResult;
  appends: AppendResult;
  /** msgs/s of every round, in order. */
  rawRounds: number[];
  appendRounds: number[];
}>;

export async function measureLimits(
  nc: NatsConnection,
  o: { publishCount: number; inFlight: number; appendCount: number },
  progress: (text: string) => void,
): Promise<Limits> {
  const raws: RawPublishResult[] = [];
  const appends: AppendResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    progress(`raw JetStream publish, round ${round} of ${ROUNDS}: ${o.publishCount} messages, ${o.inFlight} in flight`);
    raws.push(await rawPublish(nc, o.publishCount, o.inFlight));
    progress(`expected-sequence appends, round ${round} of ${ROUNDS}: ${o.appendCount} events`);
    appends.push(await expectedSequenceAppends(nc, o.appendCount));
  }
  const rate = (r: { count: number; elapsedMs: number }) => perSecond(r.count, r.elapsedMs);
  const best = <T extends { count: number; elapsedMs: number }>(rs: T[]): T => rs.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  return { raw: best(raws), appends: best(appends), rawRounds: raws.map(rate), appendRounds: appends.map(rate) };
}
