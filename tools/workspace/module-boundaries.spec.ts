import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// Proves the lint step enforces the layering of ARCHITECTURE.md: `npm run lint` fails on these.
const root = join(import.meta.dirname, '..', '..');

/**
 * Lints `code` as if it were a new file at `file`. Type information is switched off for these
 * probes (the boundary rule does not need it), so no real file is touched or shadowed.
 */
async function boundaryErrors(
  file: string,
  code: string,
  rules: readonly string[] = ['@nx/enforce-module-boundaries'],
): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && rules.includes(m.ruleId)).map((m) => m.message);
}

/** What lint says of I/O imported into `file` (any rule). */
const ioErrors = (file: string, code: string): Promise<string[]> =>
  boundaryErrors(file, code, ['@nx/enforce-module-boundaries', 'no-restricted-imports', 'no-restricted-syntax']);
const NO_IO = 'core and domain libs do no I/O: take a port, and implement it in an infra lib';

describe('module boundaries (lint)', () => {
  it('keeps Nest out of the libraries', async () => {
    const errors = await boundaryErrors(
      'libs/core/src/boundary-probe.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    );
    expect(errors).toContain('A project tagged with "type:core" is not allowed to import "@nestjs/common"');
    const infra = await boundaryErrors(
      'libs/persistence/src/boundary-probe.ts',
      "import { Module } from '@nestjs/common';\nexport const m = Module;\n",
    );
    expect(infra).toContain('A project tagged with "type:infra" is not allowed to import "@nestjs/common"');
  });

  it("requires every import to be declared in the package's own package.json", async () => {
    const errors = await boundaryErrors(
      'libs/core/src/boundary-probe.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    );
    expect(errors).toContain(
      'Only packages defined in the "package.json" can be imported. Transitive or unresolvable dependencies are not allowed.',
    );
  });

  it('keeps I/O and the ORM out of the domain', async () => {
    const errors = await boundaryErrors(
      'libs/queue/src/boundary-probe.ts',
      "import { DataSource } from 'typeorm';\nexport const d = DataSource;\n",
    );
    expect(errors).toContain('A project tagged with "type:domain" is not allowed to import "typeorm"');
  });

  it("keeps Node's I/O built-ins out of the core and domain libs, static or dynamic, and lets pure ones in", async () => {
    const spawn = await ioErrors(
      'libs/queue/src/boundary-probe.ts',
      "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
    );
    expect(spawn).toEqual([expect.stringContaining(NO_IO)]);
    const fs = await ioErrors('libs/core/src/boundary-probe.ts', "export { readFileSync } from 'fs';\n");
    expect(fs).toEqual([expect.stringContaining(NO_IO)]);
    const dynamic = await ioErrors(
      'libs/validation/src/boundary-probe.ts',
      "export const read = async () => (await import('node:fs/promises')).readFile('x');\n",
    );
    expect(dynamic).toEqual([NO_IO]);
    const pure = await ioErrors(
      'libs/review/src/boundary-probe.ts',
      "import { createHash } from 'node:crypto';\nimport { join } from 'node:path';\nexport const h = [createHash, join];\n",
    );
    expect(pure).toEqual([]);
    // Infra libs do I/O by definition; specs of a domain lib may use a temporary directory.
    expect(
      await ioErrors(
        'libs/workspace/src/boundary-probe.ts',
        "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
      ),
    ).toEqual([]);
    expect(
      await ioErrors(
        'libs/queue/src/probe.spec.ts',
        "import { mkdtempSync } from 'node:fs';\nexport const m = mkdtempSync;\n",
      ),
    ).toEqual([]);
  });

  it('forbids a lower layer from importing a higher one', async () => {
    const errors = await boundaryErrors(
      // A domain lib persistence does not depend on (from one it does, the cycle is reported first).
      'libs/validation/src/boundary-probe.ts',
      "import { openDatabase } from '@agent-harness/persistence';\nexport const o = openDatabase;\n",
    );
    expect(errors).toContain(
      'A project tagged with "type:domain" can only depend on libs tagged with "type:core", "type:domain"',
    );
  });

  it('accepts the code as it is', async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(['libs/core/src/index.ts', 'apps/cli/src/cli.ts']);
    expect(results.flatMap((r) => r.messages)).toEqual([]);
  });
});
