/** @public */
export type Severity = 'high' | 'medium' | 'low';

/** One problem a reviewer found. @public */
export interface ReviewIssue {
  readonly file: string;
  readonly line: number | null;
  readonly severity: Severity;
  readonly message: string;
}

/** A reviewer's machine-readable verdict. @public */
export interface Verdict {
  readonly verdict: 'approve' | 'request_changes';
  readonly summary: string;
  readonly issues: readonly ReviewIssue[];
}

/** What the reviewer is asked to end its answer with. @public */
export const VERDICT_INSTRUCTIONS = [
  'End your answer with your verdict as one JSON object, in a ```json fenced block, exactly in this shape:',
  '```json',
  '{"verdict": "approve" | "request_changes", "summary": "one paragraph", "issues": [{"file": "path", "line": 12, "severity": "high" | "medium" | "low", "message": "what is wrong and what to do"}]}',
  '```',
  'Approve only when the change does what the task asks and has no high or medium issue.',
].join('\n');

function candidates(text: string): string[] {
  const fenced = [...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const found: string[] = [...fenced];
  // A bare object: from each "{" that starts a line, to the last "}" of the text.
  const end = text.lastIndexOf('}');
  for (let i = text.indexOf('{'); i !== -1 && i < end; i = text.indexOf('{', i + 1)) {
    if (i === 0 || text[i - 1] === '\n') found.push(text.slice(i, end + 1));
  }
  return found.reverse();
}

/**
 * The verdict at the end of a reviewer's answer (the last JSON object that fits the shape), or
 * why there is none. Nothing is ever read as an approval by default.
 * @public
 */
export function parseVerdict(text: string): { ok: true; value: Verdict } | { ok: false; error: string } {
  for (const candidate of candidates(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate.trim());
    } catch {
      continue;
    }
    const verdict = toVerdict(parsed);
    if (verdict !== undefined) return { ok: true, value: verdict };
  }
  return {
    ok: false,
    error: 'no JSON verdict ({"verdict": "approve" | "request_changes", …}) found at the end of the review',
  };
}

function toVerdict(value: unknown): Verdict | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v['verdict'] !== 'approve' && v['verdict'] !== 'request_changes') return undefined;
  const issues = Array.isArray(v['issues']) ? (v['issues'] as unknown[]) : [];
  const parsedIssues: ReviewIssue[] = [];
  for (const raw of issues) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const issue = raw as Record<string, unknown>;
    const severity = issue['severity'];
    if (typeof issue['message'] !== 'string' || (severity !== 'high' && severity !== 'medium' && severity !== 'low'))
      return undefined;
    parsedIssues.push({
      file: typeof issue['file'] === 'string' ? issue['file'] : '',
      line:
        typeof issue['line'] === 'number' && Number.isInteger(issue['line']) && issue['line'] > 0
          ? issue['line']
          : null,
      severity,
      message: issue['message'],
    });
  }
  return { verdict: v['verdict'], summary: typeof v['summary'] === 'string' ? v['summary'] : '', issues: parsedIssues };
}
