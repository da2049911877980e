import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The files of a repository's shared git directory through which code could be made to run in
 * Harness's next git call or in a later task: the config (hooksPath, fsmonitor, filters, aliases,
 * credential helpers, push URLs) and the hooks. A worktree's `.git` points at this directory, so an
 * agent or a validation command working in a worktree can change them; Harness puts them back.
 */
type Entry =
  | { readonly kind: 'file'; readonly content: string; readonly mode: number }
  | { readonly kind: 'symlink'; readonly target: string };

/** What a recorded state looks like on disk (so a restart can still restore it). */
interface Serialized {
  readonly commonDir: string;
  readonly entries: Readonly<Record<string, Entry>>;
}

function read(path: string): Entry | undefined {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink() === true) return { kind: 'symlink', target: readlinkSync(path) };
  if (stat?.isFile() === true)
    return { kind: 'file', content: readFileSync(path).toString('base64'), mode: stat.mode & 0o777 };
  return undefined;
}

function same(a: Entry | undefined, b: Entry): boolean {
  if (a?.kind === 'symlink') return b.kind === 'symlink' && a.target === b.target;
  if (a?.kind === 'file') return b.kind === 'file' && a.content === b.content && a.mode === b.mode;
  return false;
}

/** @public */
export class SharedGitState {
  private constructor(
    readonly commonDir: string,
    private readonly entries: ReadonlyMap<string, Entry>,
  ) {}

  /** Records the config and hooks of the repository whose shared git directory is `commonDir`. */
  static capture(commonDir: string): SharedGitState {
    const entries = new Map<string, Entry>();
    for (const name of SharedGitState.watched(commonDir)) {
      const entry = read(join(commonDir, name));
      if (entry !== undefined) entries.set(name, entry);
    }
    return new SharedGitState(commonDir, entries);
  }

  static fromJSON(text: string): SharedGitState {
    const parsed = JSON.parse(text) as Serialized;
    return new SharedGitState(parsed.commonDir, new Map(Object.entries(parsed.entries)));
  }

  toJSON(): Serialized {
    return { commonDir: this.commonDir, entries: Object.fromEntries(this.entries) };
  }

  /** `config` and everything in `hooks/` (files, links, and anything else planted there). */
  private static watched(commonDir: string): string[] {
    const hooks = join(commonDir, 'hooks');
    const planted = existsSync(hooks) ? readdirSync(hooks).map((name) => join('hooks', name)) : [];
    return ['config', ...planted];
  }

  /**
   * Puts every recorded file back as it was and removes what was added to `hooks/` since. Returns
   * the paths (relative to the git directory) that had changed, sorted; empty when nothing had.
   */
  restore(): string[] {
    const changed: string[] = [];
    for (const name of SharedGitState.watched(this.commonDir)) {
      const path = join(this.commonDir, name);
      if (this.entries.has(name) || lstatSync(path, { throwIfNoEntry: false }) === undefined) continue;
      rmSync(path, { recursive: true, force: true });
      changed.push(name);
    }
    for (const [name, entry] of this.entries) {
      const path = join(this.commonDir, name);
      if (same(read(path), entry)) continue;
      rmSync(path, { recursive: true, force: true });
      mkdirSync(dirname(path), { recursive: true });
      if (entry.kind === 'symlink') {
        symlinkSync(entry.target, path);
      } else {
        writeFileSync(path, Buffer.from(entry.content, 'base64'), { mode: entry.mode });
        chmodSync(path, entry.mode);
      }
      changed.push(name);
    }
    return changed.sort();
  }
}
