/**
 * Group commit for the projector's writes. A projector runs one worker per shard it holds, and
 * their batches reach the store at about the same time: written one by one, each pays MongoDB a
 * write command per collection (and the embedded engine pays per command in proportion to the
 * collection's size). Batches that arrive while a write is in flight go out together in the next
 * one, one command per collection. If a combined write fails, each batch is written again on its
 * own, so one batch's failure (a lost lease, say) is that batch's alone.
 */
export type WriteFlush<P> = (generation: number, parts: readonly P[]) => Promise<void>;

type Pending<P> = { generation: number; part: P; resolve: () => void; reject: (error: unknown) => void };

export function createWriteCombiner<P>(flush: WriteFlush<P>): { write(generation: number, part: P): Promise<void> } {
  let queue: Pending<P>[] = [];
  let draining = false;

  async function writeGroup(generation: number, group: Pending<P>[]): Promise<void> {
    try {
      await flush(generation, group.map((p) => p.part));
      for (const p of group) p.resolve();
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      await Promise.all(group.map((p) => writeGroup(generation, [p])));
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const taken = queue;
        queue = [];
        const byGeneration = new Map<number, Pending<P>[]>();
        for (const p of taken) byGeneration.set(p.generation, [...(byGeneration.get(p.generation) ?? []), p]);
        await Promise.all([...byGeneration].map(([generation, group]) => writeGroup(generation, group)));
      }
    } finally {
      draining = false;
    }
  }

  return {
    write(generation, part) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ generation, part, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}
