/**
 * Splits a stream of text chunks into lines, each at most `maxLineChars` long: a longer line is
 * skipped to its end and reported, never buffered without end. Only the new chunk is searched for
 * line ends, so a long line costs its length once, not once per chunk.
 */
export class LineSplitter {
  private parts: string[] = [];
  private partsChars = 0;
  /** In a line that went past the limit: skipped up to its end. */
  private skipping = false;

  constructor(
    private readonly maxLineChars: number,
    private readonly onLine: (line: string) => void,
    /** A line went past the limit (once per such line). */
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: string): void {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline !== -1) {
      const piece = chunk.slice(start, newline);
      if (this.skipping) this.skipping = false;
      else if (this.partsChars + piece.length > this.maxLineChars) this.onTooLong();
      else this.onLine(this.parts.length === 0 ? piece : this.parts.join('') + piece);
      this.parts = [];
      this.partsChars = 0;
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start >= chunk.length || this.skipping) return;
    const rest = chunk.slice(start);
    if (this.partsChars + rest.length > this.maxLineChars) {
      this.parts = [];
      this.partsChars = 0;
      this.skipping = true;
      this.onTooLong();
      return;
    }
    this.parts.push(rest);
    this.partsChars += rest.length;
  }

  /** The last line, if the stream ended without a line end. */
  end(): void {
    if (this.parts.length > 0 && !this.skipping) this.onLine(this.parts.join(''));
    this.parts = [];
    this.partsChars = 0;
    this.skipping = false;
  }
}
