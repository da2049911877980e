/** Agent answers longer than this are read only this far (the rest is reported, not parsed). */
export const MAX_ANSWER_CHARS = 1_000_000;

/** At most this many rules or skills are taken from one answer. @public */
export const MAX_LEARNED_PER_ANSWER = 20;

/** The answer's lines, without a BOM or carriage returns, cut at MAX_ANSWER_CHARS. */
export function answerLines(answer: string, problems: string[]): string[] {
  let text = answer.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.length > MAX_ANSWER_CHARS) {
    problems.push(
      `the answer is longer than ${String(MAX_ANSWER_CHARS)} characters: only the first ${String(MAX_ANSWER_CHARS)} were read`,
    );
    text = text.slice(0, MAX_ANSWER_CHARS);
  }
  return text.split('\n');
}

/** Agent text quoted in a message: one line, short. */
export function quoted(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > max ? `${line.slice(0, max)}…` : line);
}

/** Text compared case- and space-insensitively (titles, names). */
export function comparable(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
