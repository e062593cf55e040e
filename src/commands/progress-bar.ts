/**
 * The rebuild's progress on stderr: a bar, the share done, events per second over the last few
 * seconds, and the time left at that rate. Redrawn in place on a terminal (at most 10 times a
 * second); one line a second otherwise, so logs and CI keep a readable trace.
 */
import type { RebuildPhase, RebuildProgress } from '../app/blue-green-rebuild.js';

const WIDTH = 30;
const WINDOW_MS = 5_000;

const PHASES: Record<RebuildPhase, string> = {
  build: 'building the new generation',
  leases: 'taking the shard leases',
  tail: 'catching up the tail',
  switch: 'switching over',
};

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One line: `[█████░░░] 52% 52,000/100,000 events · 12,345 events/s · ETA 4s · building the new generation`. */
export function progressLine(progress: RebuildProgress, perSecond: number): string {
  const total = Math.max(progress.total, progress.done);
  const share = total === 0 ? 1 : progress.done / total;
  const filled = Math.round(share * WIDTH);
  const eta = perSecond > 0 ? formatDuration((total - progress.done) / perSecond) : '?';
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${n(progress.done)}/${n(total)} events · ${n(perSecond)} events/s · ETA ${eta} · ${PHASES[progress.phase]}`;
}

export function progressBar(out: NodeJS.WriteStream, now: () => number = () => performance.now()) {
  const tty = out.isTTY === true;
  const samples: Array<{ at: number; done: number }> = [];
  let lastDrawn = -Infinity;
  let text = '';
  return {
    update(progress: RebuildProgress) {
      const at = now();
      samples.push({ at, done: progress.done });
      while (samples.length > 2 && at - samples[0]!.at > WINDOW_MS) samples.shift();
      const first = samples[0]!;
      const perSecond = at > first.at ? ((progress.done - first.done) * 1000) / (at - first.at) : 0;
      text = progressLine(progress, perSecond);
      const finished = progress.phase === 'switch';
      if (tty && (at - lastDrawn >= 100 || finished)) {
        out.write(`\r${text}\x1b[K`);
        lastDrawn = at;
      } else if (!tty && (at - lastDrawn >= 1_000 || finished)) {
        out.write(`${text}\n`);
        lastDrawn = at;
      }
    },
    done() {
      if (tty && text) out.write('\n');
    },
  };
}
