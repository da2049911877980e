import type { TaskComplexity } from '@agent-harness/queue';

/** Issue labels that mark work as complex. */
const COMPLEX_LABELS =
  /^(complex|epic|refactor|architecture|security|breaking[- ]change|performance|migration|hard|difficulty:\s*hard|size:\s*(l|xl|large))$/i;
/** Words in a title or first line that announce wide changes. */
const COMPLEX_WORDS =
  /\b(refactor|rewrite|redesign|re-architect|migrate|migration|overhaul|architecture|concurren(t|cy)|race condition|security|vulnerabilit(y|ies)|performance)\b/i;
/** A word that names a file: a path with an extension, or a file name with a known source extension. */
const PATH_WORD = /^(?:[\w.-]+\/)+[\w-]+\.\w{1,8}$/;
const FILE_WORD = /^[\w-]+\.(?:ts|tsx|js|jsx|mjs|py|rs|go|java|kt|rb|cs|cpp|c|h|swift|php|toml|ya?ml|json|md)$/;
/** Issue text is anyone's: only this much is read (a long text is complex anyway). */
const MAX_READ_CHARS = 20_000;

/** What the classifier reads of a task. @public */
export interface ClassifierInput {
  readonly title: string;
  /** The prompt, or the body and comments. */
  readonly text: string;
  readonly labels?: readonly string[] | undefined;
}

/** Thresholds of the heuristic (documented in docs/review.md). @public */
export const COMPLEXITY_THRESHOLDS = { longTextChars: 4000, filesMentioned: 5 } as const;

/**
 * Marks a task complex when any of these holds, else simple: a label such as `complex`, `epic`,
 * `refactor`, `security` or `size: L`; a title naming wide work (refactor, migrate, redesign,
 * concurrency, security, performance…); a text over 4,000 characters; 5 or more distinct files
 * mentioned. Complex work goes to `complexity_preferred_agents` and, with `reasoning_budget`, to
 * the planning tier's model.
 * @public
 */
export function classifyTask(input: ClassifierInput): { complexity: TaskComplexity; reasons: string[] } {
  const reasons: string[] = [];
  const labels = (input.labels ?? []).filter((l) => COMPLEX_LABELS.test(l.trim()));
  if (labels.length > 0) reasons.push(`label ${labels.join(', ')}`);
  const word = COMPLEX_WORDS.exec(input.title);
  if (word !== null) reasons.push(`title says "${word[0]}"`);
  if (input.text.length > COMPLEXITY_THRESHOLDS.longTextChars)
    reasons.push(`${String(input.text.length)} characters of description`);
  // Word by word with anchored patterns: linear in the text, whatever an issue author writes.
  const words = input.text.slice(0, MAX_READ_CHARS).split(/[\s`'"(),;:<>[\]{}]+/);
  const files = new Set(
    words
      .map((w) => w.replace(/[.!?]+$/, ''))
      .filter((w) => w.length <= 200 && (PATH_WORD.test(w) || FILE_WORD.test(w))),
  );
  if (files.size >= COMPLEXITY_THRESHOLDS.filesMentioned) reasons.push(`${String(files.size)} files mentioned`);
  return { complexity: reasons.length > 0 ? 'complex' : 'simple', reasons };
}
