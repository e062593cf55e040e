/** What a NATS KV compare-and-set (create, update with a revision, delete with previousSeq) answers when another write got there first. */
export const isWrongLastSequence = (error: unknown): boolean => /wrong last sequence/i.test(String((error as Error)?.message));
