import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './json-depth.js';

describe('exceedsJsonDepth', () => {
  it('counts the nesting of arrays and objects', () => {
    expect(exceedsJsonDepth('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(exceedsJsonDepth('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":[1,{"b":[[]]}]}', 4)).toBe(true);
    expect(exceedsJsonDepth('[]'.repeat(10_000), 1)).toBe(false);
    expect(exceedsJsonDepth(`${'['.repeat(33)}${']'.repeat(33)}`, 32)).toBe(true);
    expect(exceedsJsonDepth(`${'['.repeat(32)}${']'.repeat(32)}`, 32)).toBe(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[[[[{{{{{' }), 1)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ a: 'say \\"[[[[[[' }), 1)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ a: '\\', b: '[[[[' }), 1)).toBe(false);
    expect(exceedsJsonDepth(`{"a\\"":[[[]]]}`, 3)).toBe(true);
  });

  it('refuses a 2 MB bracket bomb without parsing it (JSON.parse would overflow the stack)', () => {
    const bomb = '['.repeat(2_000_000);
    expect(exceedsJsonDepth(bomb, 32)).toBe(true);
    expect(exceedsJsonDepth(`${'['.repeat(32)}${']'.repeat(32)}`, 32)).toBe(false);
  });
});
