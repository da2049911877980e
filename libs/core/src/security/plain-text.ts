// C0 and C1 controls but tab and newline, and the bidirectional controls that make text read other
// than it is (a "trojan source" line).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (an agent, another tool) with its line breaks kept as `\n` and nothing left
 * that could rewrite a terminal line, a log or the way a page reads.
 * @public
 */
export function plainText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE, '');
}
