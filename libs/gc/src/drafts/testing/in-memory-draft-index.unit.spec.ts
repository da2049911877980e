import { describe, expect, it } from 'vitest';
import { draftIndexContract, contractDraftId, contractDraftInstant } from './draft-index-contract.js';
import { InMemoryDraftIndex } from './in-memory-draft-index.js';

// The same checks the SQL adapter passes (libs/persistence): the in-memory index cannot drift from it.
describe('InMemoryDraftIndex meets the DraftIndex contract', () => {
  for (const check of draftIndexContract) it(check.name, () => check.run(new InMemoryDraftIndex()));
});

describe('InMemoryDraftIndex', () => {
  it('caps a listing at 1000 and hands out copies', async () => {
    const index = new InMemoryDraftIndex();
    for (let n = 1; n <= 1001; n++) {
      await index.upsert({
        id: contractDraftId(n),
        project: 'app',
        status: 'pending',
        signalType: 'hot_files',
        signalId: 's',
        signalKey: 'src/a.ts',
        priority: 5,
        artifactCount: 0,
        agent: 'codex',
        generatedAt: contractDraftInstant(n),
      });
    }
    const listed = await index.list({ limit: 5000 });
    expect(listed).toHaveLength(1000);
    (listed[0] as { status: string }).status = 'adopted';
    expect((await index.get(contractDraftId(1001)))?.status).toBe('pending');
  });
});
