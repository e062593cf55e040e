/**
 * Process facts from Linux /proc: the peak resident set (VmHWM, the high-water mark of VmRSS)
 * and the children of a process. Sample VmHWM while the process still runs: once it exits its
 * status has no memory lines.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Peak RSS in KiB, or null when the process is gone or the kernel does not say. */
export function peakRssKiB(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export type ProcessEntry = Readonly<{ pid: number; ppid: number; comm: string }>;

function entryOf(pid: number): ProcessEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may itself hold spaces or ')': the fields after the last ')' are fixed.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const [, ppid] = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), comm: stat.slice(open + 1, close) };
  } catch {
    return null;
  }
}

export function childrenOf(parent: number): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map((n) => entryOf(Number(n)))
    .filter((e): e is ProcessEntry => e !== null && e.ppid === parent);
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds each of `pids` uses from now until `stop()` (null for a pid not known or gone). */
export function cpuMeter(pids: readonly (number | null)[]): { stop(): Array<number | null> } {
  const read = () => pids.map((pid) => (pid === null ? null : cpuSeconds(pid)));
  const before = read();
  return {
    stop: () => {
      const after = read();
      return after.map((a, i) => {
        const b = before[i];
        return a === null || b === null || b === undefined ? null : a - b;
      });
    },
  };
}
