import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The response schemas of GET /openapi.json are generated from the TypeScript contract and committed
// (tools/openapi/contract-schemas.mjs says why): a contract changed without regenerating fails here.
const root = join(import.meta.dirname, '..', '..');

describe('the committed contract schemas', () => {
  it('are what the contract generates now (else: npm run openapi:schemas)', () => {
    const run = spawnSync(process.execPath, [join(root, 'tools', 'openapi', 'contract-schemas.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });
});
