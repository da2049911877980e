import { deepStrictEqual, equal } from 'node:assert/strict';
import type { Project, ProjectCatalog } from '@agent-harness/queue';
import type { ContractCheck } from './task-repository-contract.js';

function project(name: string, overrides: Partial<Project> = {}): Project {
  return { name, root: `/repos/${name}`, isDefault: false, origin: 'api', active: true, ...overrides };
}

/** Compares projects as values: an unset field reads back as absent or undefined alike. */
function defined(value: Project | undefined): object | undefined {
  return value === undefined ? undefined : Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * What every ProjectCatalog must do, checked against the SQL adapter and the in-memory fake alike.
 * Each check needs a fresh, empty catalog.
 * @public
 */
export const projectCatalogContract: readonly ContractCheck<ProjectCatalog>[] = [
  {
    name: 'stores a project with every field and reads it back; an unknown name reads as undefined',
    async run(catalog) {
      const full = project('app', {
        isDefault: true,
        defaultAgent: 'codex',
        maxConcurrent: 2,
        repo: 'o/app',
        baseBranch: 'main',
        origin: 'config',
      });
      await catalog.add(full);
      await catalog.add(project('lib', { active: false }));
      deepStrictEqual(defined(await catalog.get('app')), defined(full));
      deepStrictEqual(defined(await catalog.get('lib')), defined(project('lib', { active: false })));
      equal(await catalog.get('nope'), undefined);
    },
  },
  {
    name: 'lists every project, active or not; adding a name again replaces it',
    async run(catalog) {
      await catalog.add(project('b'));
      await catalog.add(project('a', { active: false }));
      deepStrictEqual((await catalog.list()).map((p) => p.name).sort(), ['a', 'b']);
      await catalog.add(project('b', { maxConcurrent: 3 }));
      const listed = await catalog.list();
      deepStrictEqual([listed.length, listed.find((p) => p.name === 'b')?.maxConcurrent], [2, 3]);
    },
  },
  {
    name: "updates only the given settings of a registered project, in place; never a config project's or a removed one",
    async run(catalog) {
      await catalog.add(project('first', { maxConcurrent: 1, repo: 'o/first' }));
      await catalog.add(project('second'));
      await catalog.add(project('config', { origin: 'config' }));
      const before = (await catalog.list()).map((p) => p.name);
      const updated = await catalog.update('first', { maxConcurrent: 3, active: false });
      deepStrictEqual(
        defined(updated),
        defined(project('first', { maxConcurrent: 3, repo: 'o/first', active: false })),
      );
      deepStrictEqual(defined(await catalog.get('first')), defined(updated));
      // It keeps its place in the list.
      deepStrictEqual(
        (await catalog.list()).map((p) => p.name),
        before,
      );
      equal(await catalog.update('config', { active: false }), undefined);
      equal((await catalog.get('config'))?.active, true);
      await catalog.remove('second');
      equal(await catalog.update('second', { maxConcurrent: 2 }), undefined);
      equal(await catalog.get('second'), undefined);
    },
  },
  {
    name: 'removes a project by name; removing an unknown name is no error',
    async run(catalog) {
      await catalog.add(project('a'));
      await catalog.add(project('b'));
      await catalog.remove('a');
      await catalog.remove('nope');
      deepStrictEqual(
        (await catalog.list()).map((p) => p.name),
        ['b'],
      );
    },
  },
];
