import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README's first commands on this checkout: `npm start` serves, SIGTERM to the npm process stops
// the server (npm's `sh -c` must not orphan it) and frees the port, and `npx harness` is linked.
const root = join(import.meta.dirname, '..', '..');

function runSmoke(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'tools', 'ci', 'readme-smoke.mjs')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => {
      resolve({ code, output });
    });
  });
}

describe('tools/ci/readme-smoke.mjs', () => {
  it(
    'npm start answers /health, stops on SIGTERM to npm with the port released; npx harness --version',
    { timeout: 300_000 },
    async () => {
      const { code, output } = await runSmoke();
      expect(output).toMatch(/npm start answers http:\/\/127\.0\.0\.1:\d+\/health/);
      expect(output).toMatch(
        /SIGTERM to npm stopped the server cleanly \(exit \{"code":0,"signal":null\}\), port \d+ released/,
      );
      expect(output).toContain('npx --no-install harness --version prints 0.1.0');
      expect(code).toBe(0);
    },
  );
});
