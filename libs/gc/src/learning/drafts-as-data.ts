import type { Draft } from '../gc.types.js';

/** A learning prompt is at most this long, drafts included. @public */
export const MAX_LEARN_PROMPT_CHARS = 60_000;

const MAX_ARTIFACT_CHARS = 12_000;
/** One draft's block; the artifacts past it are counted, not shown. */
const MAX_DRAFT_BLOCK_CHARS = 20_000;
const MAX_RATIONALE_CHARS = 2_000;
const MAX_ATTRIBUTE_CHARS = 200;
/** Room kept for the line saying how many drafts were left out. */
const OMISSION_NOTE_ROOM = 200;

/**
 * Untrusted text made unable to open or close a `<draft>` or `<artifact>` block: the `<` of any such
 * tag (`</draft>`, `< /artifact`, `<DRAFT`…) becomes `&lt;`.
 */
export function escapeBlockTags(text: string): string {
  return text.replace(/<(?=\s*\/?\s*(?:draft|artifact)\b)/gi, '&lt;');
}

/** Untrusted text as an attribute value: one line, no quotes or angle brackets, short. */
function attribute(text: string): string {
  const line = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
  return line.length > MAX_ATTRIBUTE_CHARS ? `${line.slice(0, MAX_ATTRIBUTE_CHARS)}…` : line;
}

function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… ${String(text.length - max)} more characters cut]`;
}

/**
 * One draft as a quoted block: its signal, its rationale and as many of its artifacts as fit in
 * MAX_DRAFT_BLOCK_CHARS, every piece escaped and bounded.
 */
export function draftBlock(draft: Draft): string {
  const decided = draft.statusChangedAt ?? draft.generatedAt;
  const head = [
    `<draft id="${attribute(draft.id)}" signal="${attribute(draft.signal.type)}" key="${attribute(draft.signal.key)}" adopted="${attribute(decided)}">`,
    'Rationale:',
    bounded(escapeBlockTags(draft.rationale.trim()), MAX_RATIONALE_CHARS),
  ];
  const parts = [...head];
  let used = head.join('\n').length;
  let left = 0;
  for (const artifact of draft.artifacts) {
    const part =
      `<artifact kind="${attribute(artifact.kind)}" path="${attribute(artifact.path)}">\n` +
      `${bounded(escapeBlockTags(artifact.content), MAX_ARTIFACT_CHARS)}\n</artifact>`;
    if (left > 0 || used + part.length + 1 > MAX_DRAFT_BLOCK_CHARS) {
      left += 1;
      continue;
    }
    parts.push(part);
    used += part.length + 1;
  }
  if (left > 0) parts.push(`[… ${String(left)} more artifact${left === 1 ? '' : 's'} left out]`);
  parts.push('</draft>');
  return parts.join('\n');
}

/**
 * The drafts, newest decision first, as quoted blocks within `budget` characters; the older drafts
 * that do not fit are left out and a closing line says how many.
 */
export function draftsAsData(drafts: readonly Draft[], budget: number): string {
  const newestFirst = [...drafts].sort((a, b) => {
    const [x, y] = [a.statusChangedAt ?? a.generatedAt, b.statusChangedAt ?? b.generatedAt];
    return x === y ? 0 : x < y ? 1 : -1;
  });
  const room = budget - OMISSION_NOTE_ROOM;
  const blocks: string[] = [];
  let used = 0;
  for (const draft of newestFirst) {
    const block = draftBlock(draft);
    if (used + block.length + 2 > room) break;
    blocks.push(block);
    used += block.length + 2;
  }
  const omitted = newestFirst.length - blocks.length;
  if (omitted > 0) {
    blocks.push(
      `(${String(omitted)} older adopted draft${omitted === 1 ? ' was' : 's were'} left out to keep this prompt short.)`,
    );
  }
  return blocks.join('\n\n');
}

/** Names listed in a prompt: only those matching `valid`, at most `maxChars` of them, noting the rest. */
export function nameList(names: readonly string[], valid: (name: string) => boolean, maxChars: number): string {
  const shown: string[] = [];
  let used = 0;
  const usable = [...new Set(names.filter(valid))].sort();
  for (const name of usable) {
    if (used + name.length + 2 > maxChars) break;
    shown.push(name);
    used += name.length + 2;
  }
  if (shown.length === 0) return '(none)';
  const rest = usable.length - shown.length;
  return rest === 0 ? shown.join(', ') : `${shown.join(', ')} and ${String(rest)} more`;
}
