import { describe, expect, it } from 'vitest';
import { cutText, taskTitle } from './task-title.js';

describe('cutText and taskTitle', () => {
  it('cuts on character boundaries: an emoji or a combined letter is whole or gone', () => {
    expect(cutText('ab😀cd', 3)).toBe('ab');
    expect(cutText('ab😀cd', 4)).toBe('ab😀');
    expect(cutText('e\u0301e\u0301', 3)).toBe('e\u0301');
    expect(cutText('👩‍👩‍👧 family', 5)).toBe('');
    expect(cutText('short', 10)).toBe('short');
  });

  it('ends a long title with an ellipsis, never half an emoji', () => {
    const title = taskTitle({ kind: 'prompt', prompt: `${'x'.repeat(70)}😀😀 tail` });
    expect(title).toBe(`${'x'.repeat(70)}…`);
    expect(title.length).toBeLessThanOrEqual(72);
    expect(taskTitle({ kind: 'prompt', description: `${'y'.repeat(69)}😀 tail` })).toBe(`${'y'.repeat(69)}😀…`);
    expect(taskTitle({ kind: 'issue', issue: 4 })).toBe('issue #4');
  });
});
