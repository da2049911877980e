import type { DraftArtifact } from '../gc.types.js';
import { artifactKindOf, normalizeArtifactPath } from './artifact-path.js';
import { isDiffStart, parseDiff, type DiffFile } from './unified-diff.js';

/** Bounds on what one answer may propose. @public */
export const ARTIFACT_LIMITS = {
  /** Artifacts kept per answer. */
  maxArtifacts: 20,
  /** UTF-8 bytes of one artifact's content. */
  maxArtifactBytes: 256 * 1024,
  /** UTF-8 bytes of all artifacts together. */
  maxTotalBytes: 1024 * 1024,
  /** Characters of the rationale. */
  maxRationaleChars: 8000,
  /** Characters of an answer read at all (the rest is ignored, with a problem). */
  maxAnswerChars: 4 * 1024 * 1024,
  /** Problems listed (then one line says how many more). */
  maxProblems: 50,
} as const;

/** What `parseArtifacts` found in an agent's answer. @public */
export interface ParsedArtifacts {
  /** Normalized, checked paths; one per path (the last proposal of a path wins). */
  readonly artifacts: DraftArtifact[];
  /** The answer without its artifact blocks, trimmed and bounded. */
  readonly rationale: string;
  /** What was refused or dropped, and why (one line each). */
  readonly problems: string[];
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const DIFF_LANGUAGES = new Set(['diff', 'patch', 'udiff']);

interface Candidate {
  readonly artifact: DraftArtifact;
  /** Where it came from, for problems: "the block at line 12". */
  readonly origin: string;
}

/** A hostile string shown in a problem: quoted, one line, bounded. */
function shown(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/** UTF-8 length without encoding the text. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The line where a fence opened at `start` closes (same character, at least as long), if it does. */
function closingLine(lines: readonly string[], start: number, fence: string): number | undefined {
  const close = new RegExp(`^ {0,3}${fence.startsWith('`') ? '`' : '~'}{${String(fence.length)},}[ \\t]*$`);
  for (let j = start + 1; j < lines.length; j++) if (close.test(lines[j] ?? '')) return j;
  return undefined;
}

type BlockShape =
  { readonly kind: 'file'; readonly path: string } | { readonly kind: 'diff' } | { readonly kind: 'other' };

/** What a fenced block is, from its info string: `lang path`, a lone `path`, a diff, or prose/code. */
function blockShape(info: string): BlockShape {
  const words = info
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const [first, second] = words;
  if (first === undefined) return { kind: 'other' };
  if (DIFF_LANGUAGES.has(first.toLowerCase())) return { kind: 'diff' };
  // A path has a "/" or a "." (`./Makefile` for a bare name): ```text output is not a file. A
  // backslash counts too, so a Windows path is refused rather than passed over.
  const looksLikePath = (word: string): boolean => /[/.\\]/.test(word);
  if (words.length === 2 && second !== undefined && looksLikePath(second)) return { kind: 'file', path: second };
  if (words.length === 1 && looksLikePath(first)) return { kind: 'file', path: first };
  return { kind: 'other' };
}

/**
 * Reads the files an agent proposes in its answer:
 * - fenced blocks (```` ``` ```` or `~~~`, any longer fence so a block can hold a shorter one)
 *   whose info string is a language then the target path (```` ```sh .harness/guards/x.sh ````),
 *   or just the path; a path has a `/` or a `.` (`./Makefile`); the content is the block's body;
 * - unified diffs, in a ```` ```diff ```` / ```` ```patch ```` block or bare in the text: a diff that
 *   only creates files gives one plain artifact per file (its added lines); a diff that changes
 *   existing files is one `patch` artifact (the diff's text; path = its first file).
 * Every path is checked with `normalizeArtifactPath` (for a diff, every path it names); what is
 * refused goes to `problems` with the reason, never to `artifacts`. The same path twice: the last
 * wins. At most `ARTIFACT_LIMITS.maxArtifacts` artifacts, each at most 256 KiB, 1 MiB in all.
 * The answer is data: nothing in it is run or followed.
 * @public
 */
export function parseArtifacts(answer: string): ParsedArtifacts {
  const problems: string[] = [];
  let text = answer.replace(/\r\n?/g, '\n');
  if (text.length > ARTIFACT_LIMITS.maxAnswerChars) {
    problems.push(
      `the answer is longer than ${String(ARTIFACT_LIMITS.maxAnswerChars)} characters: the rest was not read`,
    );
    text = text.slice(0, ARTIFACT_LIMITS.maxAnswerChars);
  }
  const lines = text.split('\n');
  const candidates: Candidate[] = [];
  const kept: string[] = [];

  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const open = FENCE_OPEN.exec(line);
    const fence = open?.[1];
    const info = open?.[2] ?? '';
    // A backtick fence's info string cannot hold a backtick (that is inline code, not a fence).
    if (fence !== undefined && !(fence.startsWith('`') && info.includes('`'))) {
      const close = closingLine(lines, i, fence);
      const end = close ?? lines.length;
      const shape = blockShape(info);
      const origin = `the block at line ${String(i + 1)}`;
      if (shape.kind === 'other') kept.push(...lines.slice(i, end + 1));
      else if (close === undefined) problems.push(`${origin} is never closed (cut off?): not read`);
      else if (shape.kind === 'file') {
        const body = lines.slice(i + 1, close);
        const content = body.length === 0 ? '' : `${body.join('\n')}\n`;
        fileCandidate(shape.path, content, origin, candidates, problems);
      } else diffBlock(lines.slice(i + 1, close), origin, candidates, problems);
      i = end + 1;
      continue;
    }
    if (isDiffStart(lines, i)) {
      const diff = parseDiff(lines, i, false);
      diffCandidates(diff.files, lines.slice(i, diff.end), `the diff at line ${String(i + 1)}`, candidates, problems);
      i = diff.end;
      continue;
    }
    kept.push(line);
    i++;
  }

  const artifacts = bounded(deduplicated(candidates, problems), problems);
  return { artifacts, rationale: rationaleOf(kept), problems: capped(problems) };
}

function fileCandidate(
  path: string,
  content: string,
  origin: string,
  candidates: Candidate[],
  problems: string[],
): void {
  const normalized = normalizeArtifactPath(path);
  if (!normalized.ok) {
    problems.push(`${origin}: path ${shown(path)} refused: it ${normalized.error}`);
    return;
  }
  if (content.includes('\u0000')) {
    problems.push(`${origin}: ${normalized.value} refused: its content has a NUL character (text files only)`);
    return;
  }
  candidates.push({ artifact: { kind: artifactKindOf(normalized.value), path: normalized.value, content }, origin });
}

function diffBlock(body: readonly string[], origin: string, candidates: Candidate[], problems: string[]): void {
  const start = body.findIndex((_, index) => isDiffStart(body, index));
  if (start < 0) {
    problems.push(`${origin} is marked as a diff but has no file header (--- a/… / +++ b/…): not read`);
    return;
  }
  const diff = parseDiff(body, start, true);
  diffCandidates(diff.files, body.slice(start, diff.end), origin, candidates, problems);
}

/** A diff's artifacts: each created file on its own, or the whole diff as one patch. */
function diffCandidates(
  files: readonly DiffFile[],
  diffLines: readonly string[],
  origin: string,
  candidates: Candidate[],
  problems: string[],
): void {
  const refusals: string[] = [];
  for (const file of files)
    for (const path of file.paths) {
      const normalized = normalizeArtifactPath(path);
      if (!normalized.ok) refusals.push(`path ${shown(path)}: it ${normalized.error}`);
    }
  if (refusals.length > 0) {
    problems.push(`${origin} refused: ${[...new Set(refusals)].join('; ')}`);
    return;
  }
  const createsOnly = files.every((file) => !file.touchesExisting && file.oldPath === undefined);
  if (createsOnly) {
    // Only the added lines are taken: hunk counts and prefixes do not matter here.
    for (const file of files) {
      if (file.refusals.length > 0 || file.newPath === undefined) {
        problems.push(
          `${origin}: ${file.newPath ?? 'a file'} refused: ${file.refusals.join('; ') || 'it names no file'}`,
        );
        continue;
      }
      const content = file.added.length === 0 ? '' : `${file.added.join('\n')}${file.noFinalNewline ? '' : '\n'}`;
      fileCandidate(file.newPath, content, origin, candidates, problems);
    }
    return;
  }
  const refused = [...new Set(files.flatMap((file) => file.refusals))];
  if (refused.length > 0) {
    problems.push(`${origin} refused: ${refused.join('; ')}`);
    return;
  }
  const malformed = [...new Set(files.flatMap((file) => file.malformed))];
  if (malformed.length > 0) {
    problems.push(`${origin} refused: ${malformed.join('; ')} (git apply would not take it as written)`);
    return;
  }
  const first = files[0];
  const target = first?.newPath ?? first?.oldPath;
  const path = target === undefined ? undefined : normalizeArtifactPath(target);
  if (path?.ok !== true) {
    problems.push(`${origin} refused: it names no file`);
    return;
  }
  const content = `${diffLines.join('\n')}\n`;
  if (content.includes('\u0000')) {
    problems.push(`${origin} refused: it has a NUL character (text only)`);
    return;
  }
  candidates.push({ artifact: { kind: 'patch', path: path.value, content }, origin });
}

/** One artifact per path: the last one proposed wins, at the place it was proposed. */
function deduplicated(candidates: readonly Candidate[], problems: string[]): Candidate[] {
  const byPath = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const earlier = byPath.get(candidate.artifact.path);
    if (earlier !== undefined) {
      problems.push(`${candidate.artifact.path} is proposed twice: ${candidate.origin} replaces ${earlier.origin}`);
      byPath.delete(candidate.artifact.path);
    }
    byPath.set(candidate.artifact.path, candidate);
  }
  return [...byPath.values()];
}

/** The artifacts within the bounds, in order; once one does not fit, the rest are refused too. */
function bounded(candidates: readonly Candidate[], problems: string[]): DraftArtifact[] {
  const kept: DraftArtifact[] = [];
  let total = 0;
  let stop: string | undefined;
  for (const { artifact } of candidates) {
    const bytes = utf8Bytes(artifact.content);
    if (stop !== undefined) {
      problems.push(`${artifact.path} refused: ${stop}`);
      continue;
    }
    if (bytes > ARTIFACT_LIMITS.maxArtifactBytes) {
      problems.push(
        `${artifact.path} refused: ${String(bytes)} bytes, over the ${String(ARTIFACT_LIMITS.maxArtifactBytes)}-byte limit of one artifact`,
      );
      continue;
    }
    if (kept.length >= ARTIFACT_LIMITS.maxArtifacts)
      stop = `more than ${String(ARTIFACT_LIMITS.maxArtifacts)} artifacts in one answer`;
    else if (total + bytes > ARTIFACT_LIMITS.maxTotalBytes)
      stop = `the answer's artifacts pass ${String(ARTIFACT_LIMITS.maxTotalBytes)} bytes in all`;
    if (stop !== undefined) {
      problems.push(`${artifact.path} refused: ${stop}`);
      continue;
    }
    kept.push(artifact);
    total += bytes;
  }
  return kept;
}

function rationaleOf(kept: readonly string[]): string {
  const text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.length <= ARTIFACT_LIMITS.maxRationaleChars) return text;
  let cut = ARTIFACT_LIMITS.maxRationaleChars - 1;
  // Never end on half of a surrogate pair.
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last < 0xdc00) cut--;
  return `${text.slice(0, cut)}…`;
}

function capped(problems: readonly string[]): string[] {
  if (problems.length <= ARTIFACT_LIMITS.maxProblems) return [...problems];
  const shownProblems = problems.slice(0, ARTIFACT_LIMITS.maxProblems - 1);
  return [...shownProblems, `…and ${String(problems.length - shownProblems.length)} more problems`];
}
