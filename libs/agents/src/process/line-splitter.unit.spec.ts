import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(chunks: readonly string[], max = 10): { lines: string[]; tooLong: number } {
  const lines: string[] = [];
  let tooLong = 0;
  const splitter = new LineSplitter(
    max,
    (line) => lines.push(line),
    () => (tooLong += 1),
  );
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { lines, tooLong };
}

describe('LineSplitter', () => {
  it('splits chunks into lines, wherever the chunks break', () => {
    expect(split(['ab\ncd', 'e\n', '\nf', 'g'])).toEqual({ lines: ['ab', 'cde', '', 'fg'], tooLong: 0 });
    expect(split(['a', 'b', 'c\n'])).toEqual({ lines: ['abc'], tooLong: 0 });
  });

  it('skips a line longer than the limit to its end, reports it once, and goes on with the next', () => {
    expect(split(['0123456789', 'abc', 'def\nok\n'])).toEqual({ lines: ['ok'], tooLong: 1 });
    // Past the limit only when the line end comes.
    expect(split(['01234567', '89a\nok'])).toEqual({ lines: ['ok'], tooLong: 1 });
    // A line of exactly the limit is kept.
    expect(split(['0123456789\n'])).toEqual({ lines: ['0123456789'], tooLong: 0 });
    // Unended at the end of the stream: dropped, not returned.
    expect(split(['x', '0123456789abc'])).toEqual({ lines: [], tooLong: 1 });
  });

  it('holds at most the limit while a line never ends', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const splitter = new LineSplitter(
      1000,
      (line) => lines.push(line),
      () => (tooLong += 1),
    );
    // 100 MB without a line end: the splitter does not keep it (this would take GBs otherwise).
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 1600; i++) splitter.push(chunk);
    splitter.push('\n{"after":true}\n');
    expect(lines).toEqual(['{"after":true}']);
    expect(tooLong).toBe(1);
  });
});
