/**
 * Who this process is to the other projector instances, and whether another one is certainly
 * gone. A pid only means something within one pid namespace of one boot of one host (containers
 * on one host share the boot but not the namespace): that is the "space". Within our own space a
 * holder whose pid no longer exists, or is our own pid (we are its restart), has stopped for
 * good, so its shards need not wait out the lease TTL. A stopped (SIGSTOP) process still exists
 * and keeps its leases until they lapse; outside our space we never guess.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { LeaseHolder } from '../ports.js';

function readOr(read: () => string, fallback: string): string {
  try {
    return read().trim();
  } catch {
    return fallback;
  }
}

function processSpace(): string {
  const boot = readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), 'no-boot-id');
  const pidNamespace = readOr(() => readlinkSync('/proc/self/ns/pid'), 'no-pid-namespace');
  return createHash('sha256').update(`${hostname()}\n${boot}\n${pidNamespace}`).digest('hex').slice(0, 16);
}

/** A fresh identity per process start: a restarted process is a new instance. */
export function currentInstance(): LeaseHolder {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'host';
  return { owner: `${host}-${process.pid}-${randomBytes(3).toString('hex')}`, space: processSpace(), pid: process.pid };
}

export function isCertainlyGone(holder: LeaseHolder, me: LeaseHolder): boolean {
  if (holder.space !== me.space || holder.owner === me.owner) return false;
  if (holder.pid === me.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
