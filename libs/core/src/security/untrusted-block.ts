import { AppError } from '../errors/app-error.js';

const TAG = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * Text from events, agents or files wrapped as data in `<tag>…</tag>`: every `</tag` inside it,
 * whatever its case or spacing (`</EVIDENCE >`, `< / evidence`, `</evidence attr>`), is escaped
 * as `<\/tag`, so only the block's own last line closes it. `tag` is a lower-case name.
 * @public
 */
export function untrustedBlock(tag: string, text: string): string {
  if (!TAG.test(tag))
    throw new AppError(
      'INVALID_ARGUMENT',
      `a block tag is a lower-case name (a-z, 0-9, "_", "-"), not ${JSON.stringify(tag)}`,
    );
  const safe = text.replace(new RegExp(`<(\\s*)/(\\s*${tag})`, 'gi'), '<$1\\/$2');
  return `<${tag}>\n${safe}\n</${tag}>`;
}
