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
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

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
