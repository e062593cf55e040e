/** Feeding read models directly in tests: the projection store as one writer owning one shard. */
import type { Db } from 'mongodb';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import type { Fence, ProjectionChange, ProjectionStore } from '../../src/ports.js';

export const TEST_SHARD = 'test';
/** The topology tests feed read models with directly: documents land in the collections of their wallet's shard. */
export const TEST_TOPOLOGY = { shards: 4 } as const;

export type SingleWriter = Readonly<{
  projection: ProjectionStore;
  fence: Fence;
  /** Writes the changes and moves the test shard's checkpoint to `uptoSeq`, as a projector's batch does. */
  apply(changes: readonly ProjectionChange[], uptoSeq: number): Promise<void>;
}>;

export async function singleWriter(db: Db): Promise<SingleWriter> {
  const projection = await createMongoProjectionStore(db, TEST_TOPOLOGY);
  const { epoch } = await projection.claim(TEST_SHARD);
  const fence: Fence = { shard: TEST_SHARD, epoch, check: () => undefined };
  return {
    projection,
    fence,
    async apply(changes, uptoSeq) {
      await projection.write(changes, fence);
      await projection.advance(uptoSeq, fence);
    },
  };
}
