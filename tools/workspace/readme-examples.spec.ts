import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// The examples in the libs' READMEs that are fenced as "```ts runnable" are what a user of one lib
// alone would write: each is type-checked against the libs' sources and then run. An example checks
// itself (node:assert) and throws when the lib does not do what its README says.
const root = join(import.meta.dirname, '..', '..');
// A folder of its own per run (beside the libs, so the examples resolve their packages): two runs
// at once, a filtered one say, do not remove each other's files.
const out = mkdtempSync(join(import.meta.dirname, '.readme-examples-'));

interface Example {
  readonly lib: string;
  readonly file: string;
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const lib of readdirSync(join(root, 'libs')).sort()) {
    let readme: string;
    try {
      readme = readFileSync(join(root, 'libs', lib, 'README.md'), 'utf8');
    } catch {
      continue;
    }
    for (const [i, match] of [...readme.matchAll(/^```ts runnable\n([\s\S]*?)^```$/gm)].entries()) {
      const file = join(out, `${lib}-${String(i + 1)}.ts`);
      writeFileSync(file, match[1] ?? '');
      found.push({ lib, file });
    }
  }
  return found;
}

const all = examples();

describe("the libs' README examples", () => {
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('has a runnable example for every lib: each can be used alone from another Node tool', () => {
    const libs = readdirSync(join(root, 'libs'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(new Set(all.map((e) => e.lib))).toEqual(new Set(libs));
  });

  it('type-checks every example against the libs as published (their source)', () => {
    const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), (path) => ts.sys.readFile(path));
    const { compilerOptions } = base.config as { compilerOptions: unknown };
    const { options } = ts.convertCompilerOptionsFromJson(compilerOptions, root);
    const program = ts.createProgram(
      all.map((e) => e.file),
      { ...options, noEmit: true, composite: false, declaration: false, declarationMap: false, sourceMap: false },
    );
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.startsWith(out) === true)
      .map((d) => {
        const where = d.file?.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${d.file?.fileName.slice(out.length + 1) ?? '?'}:${String((where?.line ?? 0) + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);

  it.each(all.map((e) => [e.file.slice(out.length + 1), e.file]))('runs %s', async (_name, file) => {
    await import(pathToFileURL(file).href);
  });
});
