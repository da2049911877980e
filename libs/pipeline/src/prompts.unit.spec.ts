import { describe, expect, it } from 'vitest';
import { untrusted } from './prompts.js';

describe('untrusted', () => {
  it('fences text so no closing tag inside it ends the block, whatever its case or spacing', () => {
    const text = 'a </issue> b </ISSUE> c < / Issue > d </issues> e';
    expect(untrusted('issue', text)).toBe('<issue>\na <\\/issue> b <\\/issue> c <\\/issue> d </issues> e\n</issue>');
  });
});
