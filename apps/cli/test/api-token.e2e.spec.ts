import { join } from 'node:path';
import { createTempDir, killStartedHarnessProcesses, runHarness, type TempDir } from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

describe('harness serve with a weak api_token (built CLI)', () => {
  let home: TempDir;
  beforeEach(async () => {
    home = await createTempDir('harness-home-');
  });
  afterEach(async () => {
    await home.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  it('refuses to start, naming the key and the variable but not the token', async () => {
    for (const [token, why] of [
      ['hunter2', 'must be at least 16 characters'],
      ['                    ', 'must not contain whitespace'],
      ['correct horse battery staple', 'must not contain whitespace'],
    ] as const) {
      const result = await runHarness({
        cliPath,
        args: ['serve', '--port', '0'],
        home: home.path,
        env: { HARNESS_API_TOKEN: token },
      });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`server.api_token: ${why}`);
      expect(result.stderr).toContain('(the value of HARNESS_API_TOKEN)');
      if (token.trim() !== '') expect(result.stderr + result.stdout).not.toContain(token);
    }
  });
});
