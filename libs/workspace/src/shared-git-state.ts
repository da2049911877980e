import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files of a repository's shared git directory through which code could be made to run in
 * Harness's next git call or in a later task: the config (hooksPath, fsmonitor, filters, aliases,
 * credential helpers) and the hooks. A worktree's `.git` points at this directory, so an agent or a
 * validation command working in a worktree can change them; Harness puts them back as they were.
 */
interface FileCopy {
  readonly content: Buffer;
  readonly mode: number;
}

/** @public */
export class SharedGitState {
  private constructor(
    private readonly commonDir: string,
    private readonly files: ReadonlyMap<string, FileCopy>,
  ) {}

  /** Records the config and hooks of the repository whose shared git directory is `commonDir`. */
  static capture(commonDir: string): SharedGitState {
    const files = new Map<string, FileCopy>();
    for (const name of SharedGitState.watched(commonDir)) {
      const path = join(commonDir, name);
      files.set(name, { content: readFileSync(path), mode: statSync(path).mode & 0o777 });
    }
    return new SharedGitState(commonDir, files);
  }

  private static watched(commonDir: string): string[] {
    const names = existsSync(join(commonDir, 'config')) ? ['config'] : [];
    const hooks = join(commonDir, 'hooks');
    if (existsSync(hooks)) {
      for (const entry of readdirSync(hooks, { withFileTypes: true })) {
        names.push(join('hooks', entry.name));
      }
    }
    return names;
  }

  /**
   * Puts every recorded file back as it was and removes hooks added since. Returns the paths
   * (relative to the git directory) that had changed; empty when nothing had.
   */
  restore(): string[] {
    const changed: string[] = [];
    const now = new Set(SharedGitState.watched(this.commonDir));
    for (const name of now) {
      if (this.files.has(name)) continue;
      rmSync(join(this.commonDir, name), { recursive: true, force: true });
      changed.push(name);
    }
    for (const [name, copy] of this.files) {
      const path = join(this.commonDir, name);
      let same = false;
      try {
        same = statSync(path).isFile() && readFileSync(path).equals(copy.content) && (statSync(path).mode & 0o777) === copy.mode;
      } catch {
        // Removed: written back below.
      }
      if (same) continue;
      rmSync(path, { recursive: true, force: true });
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, copy.content, { mode: copy.mode });
      chmodSync(path, copy.mode);
      changed.push(name);
    }
    return changed.sort();
  }
}
