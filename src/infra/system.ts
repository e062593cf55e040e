/** Real time and real ids, the only place the app's Clock and Ids touch the machine. */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock, Ids } from '../ports.js';

export const systemClock: Clock = { now: () => new Date() };

// A fixed namespace: derived ids must stay the same across versions and machines.
const NAMESPACE = Buffer.from('5b0d4f0e8f7a4c0a9a53c1c5a6f7e2d1', 'hex');

/** UUID v5 (RFC 9562): SHA-1 of namespace + name, with version and variant bits set. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const systemIds: Ids = { random: () => randomUUID(), derive: uuidV5 };
