/**
 * A reader for the unified diffs agents write (git style, `diff --git` optional): enough to find
 * where a diff ends in free text, every path it names, and the content of the files it creates.
 * It applies nothing; `git apply` does that later, on text this reader has checked.
 */

/** One file section of a diff. */
export interface DiffFile {
  /** The `---` path without its `a/` (undefined: `/dev/null`, a new file). */
  readonly oldPath: string | undefined;
  /** The `+++` path without its `b/` (undefined: `/dev/null`, a deleted file). */
  readonly newPath: string | undefined;
  /** Every path the section names (`diff --git`, `---`/`+++`, `rename`/`copy` from and to). */
  readonly paths: readonly string[];
  /** The `+` lines, without the `+`. */
  readonly added: readonly string[];
  /** Context or removed lines: the section changes a file that exists. */
  readonly touchesExisting: boolean;
  /** A `\ No newline at end of file` after the last added line. */
  readonly noFinalNewline: boolean;
  /** What must never be taken, whatever the diff's use: a symlink or submodule, a binary, a quoted path. */
  readonly refusals: readonly string[];
  /** Why `git apply` would not take it as written (wrong hunk counts, paths without `a/`/`b/`). */
  readonly malformed: readonly string[];
}

/** A diff found at some line: its sections and the line after its last one. */
export interface ParsedDiff {
  readonly files: readonly DiffFile[];
  readonly end: number;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;
const GIT_HEADER = /^diff --git a\/(\S+) b\/(\S+)$/;
const MODE = /^(?:new file mode|deleted file mode|old mode|new mode) (\d+)$/;
const NAMED = /^(?:rename from|rename to|copy from|copy to) (.+)$/;
const EXTENDED =
  /^(?:old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to|index) /;
/** Symbolic links and submodules: a diff must not create either (a link could point anywhere). */
const SPECIAL_MODES = new Set(['120000', '160000']);

function at(lines: readonly string[], i: number): string | undefined {
  return lines[i];
}

function startsFilePair(lines: readonly string[], i: number): boolean {
  return at(lines, i)?.startsWith('--- ') === true && at(lines, i + 1)?.startsWith('+++ ') === true;
}

/** Whether a diff starts at line `i`: `diff --git …`, or `---`/`+++` followed by a hunk. */
export function isDiffStart(lines: readonly string[], i: number): boolean {
  if (at(lines, i)?.startsWith('diff --git ') === true) return true;
  return startsFilePair(lines, i) && HUNK.test(at(lines, i + 2) ?? '');
}

interface Side {
  readonly path: string | undefined;
  readonly prefixed: boolean;
  readonly refusal?: string;
}

/** A `---`/`+++` path: the timestamp after a tab dropped, `/dev/null` as undefined, the prefix noted. */
function side(header: string, prefix: 'a/' | 'b/'): Side {
  const raw = header.slice(4).split('\t')[0]?.trimEnd() ?? '';
  if (raw === '/dev/null') return { path: undefined, prefixed: true };
  if (raw.startsWith('"'))
    return { path: raw, prefixed: false, refusal: `quoted path ${raw.slice(0, 80)} (not supported)` };
  if (raw.startsWith(prefix)) return { path: raw.slice(prefix.length), prefixed: true };
  return { path: raw, prefixed: false };
}

class SectionBuilder {
  oldPath: string | undefined;
  newPath: string | undefined;
  readonly paths: string[] = [];
  readonly added: string[] = [];
  touchesExisting = false;
  noFinalNewline = false;
  readonly refusals: string[] = [];
  readonly malformed: string[] = [];
  sawNewFileMode = false;

  build(): DiffFile {
    if (this.oldPath === undefined && this.newPath === undefined && this.paths.length === 0)
      this.refusals.push('a file section that names no file');
    return {
      oldPath: this.oldPath,
      newPath: this.newPath,
      paths: [...new Set(this.paths)],
      added: this.added,
      touchesExisting: this.touchesExisting,
      noFinalNewline: this.noFinalNewline,
      refusals: [...new Set(this.refusals)],
      malformed: [...new Set(this.malformed)],
    };
  }
}

/**
 * Reads the diff starting at `start` (where `isDiffStart` is true). `fenced`: the lines are a
 * fenced block's body, so the diff runs to their end; in free text it ends at the first line that
 * cannot belong to it (a blank line after the last hunk, prose).
 */
export function parseDiff(lines: readonly string[], start: number, fenced: boolean): ParsedDiff {
  const files: DiffFile[] = [];
  let i = start;
  while (i < lines.length && isDiffStart(lines, i)) {
    const section = new SectionBuilder();
    i = readHeader(lines, i, section);
    i = readHunks(lines, i, section, fenced);
    files.push(section.build());
  }
  return { files, end: i };
}

function readHeader(lines: readonly string[], start: number, section: SectionBuilder): number {
  let i = start;
  const first = at(lines, i) ?? '';
  if (first.startsWith('diff --git ')) {
    const git = GIT_HEADER.exec(first);
    if (git?.[1] !== undefined && git[2] !== undefined) section.paths.push(git[1], git[2]);
    i++;
    for (let line = at(lines, i); line !== undefined && EXTENDED.test(line); line = at(lines, ++i)) {
      const mode = MODE.exec(line)?.[1];
      if (mode !== undefined && SPECIAL_MODES.has(mode))
        section.refusals.push(`mode ${mode} (a symbolic link or submodule) is not accepted`);
      if (line.startsWith('new file mode ')) section.sawNewFileMode = true;
      const named = NAMED.exec(line)?.[1];
      if (named !== undefined) {
        section.paths.push(named);
        section.touchesExisting = true; // a rename or copy needs its source
      }
    }
    const line = at(lines, i) ?? '';
    if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
      section.refusals.push('a binary patch is not accepted');
      i++;
      while (i < lines.length && !isDiffStart(lines, i) && (at(lines, i) ?? '') !== '') i++;
    }
  }
  if (startsFilePair(lines, i)) {
    const old = side(at(lines, i) ?? '', 'a/');
    const next = side(at(lines, i + 1) ?? '', 'b/');
    for (const s of [old, next]) {
      if (s.refusal !== undefined) section.refusals.push(s.refusal);
      if (!s.prefixed) section.malformed.push(`path ${(s.path ?? '').slice(0, 80)} lacks git's a/ or b/ prefix`);
      if (s.path !== undefined) section.paths.push(s.path);
    }
    section.oldPath = old.path;
    section.newPath = next.path;
    if (old.path !== undefined && !section.sawNewFileMode) section.touchesExisting = true;
    i += 2;
  } else if (section.paths.length > 0) {
    // `diff --git` alone (a mode change, a pure rename): it changes an existing file.
    section.oldPath = section.paths[0];
    section.newPath = section.paths.at(-1);
    section.touchesExisting = true;
  }
  return i;
}

function readHunks(lines: readonly string[], start: number, section: SectionBuilder, fenced: boolean): number {
  let i = start;
  for (let header = HUNK.exec(at(lines, i) ?? ''); header !== null; header = HUNK.exec(at(lines, i) ?? '')) {
    let oldLeft = Number(header[1] ?? '1');
    let newLeft = Number(header[2] ?? '1');
    i++;
    let lastAdded = false;
    for (let line = at(lines, i); line !== undefined; line = at(lines, i)) {
      const counted = oldLeft > 0 || newLeft > 0;
      if (line.startsWith('\\')) {
        if (lastAdded) section.noFinalNewline = true;
        i++;
        continue;
      }
      // Past its counts, a hunk ends at anything that is not plainly one of its lines: in a
      // fence the extra lines are read (and the counts reported wrong); in prose they end it.
      if (!counted && (!fenced || HUNK.test(line) || isDiffStart(lines, i) || line === '')) break;
      if (counted && isDiffStart(lines, i) && line.startsWith('diff --git ')) break;
      const mark = line === '' ? ' ' : line[0];
      if (mark !== ' ' && mark !== '+' && mark !== '-') break;
      if (!counted) section.malformed.push('hunk has more lines than its @@ header counts');
      if (mark === '+') {
        section.added.push(line.slice(1));
        section.noFinalNewline = false;
        newLeft--;
      } else {
        section.touchesExisting = true;
        if (mark === ' ') newLeft--;
        oldLeft--;
      }
      lastAdded = mark === '+';
      i++;
    }
    if (oldLeft > 0 || newLeft > 0) section.malformed.push('hunk has fewer lines than its @@ header counts');
    if (oldLeft < 0 || newLeft < 0) section.malformed.push('hunk has more lines than its @@ header counts');
  }
  return i;
}
