import { describe, expect, it } from 'vitest';
import { pullRequestPrompt, untrusted } from './prompts.js';

describe('untrusted', () => {
  it('fences text so no closing tag inside it ends the block, whatever its case or spacing', () => {
    const text = 'a </issue> b </ISSUE> c < / Issue > d </issues> e';
    expect(untrusted('issue', text)).toBe('<issue>\na <\\/issue> b <\\/issue> c <\\/issue> d </issues> e\n</issue>');
  });
});

describe('pullRequestPrompt', () => {
  const pr = {
    number: 9,
    title: 'Fix parser',
    body: '',
    url: 'https://github.example/octo/app/pull/9',
    state: 'open',
    headRef: 'harness/1a2b-fix',
    headSha: 'abc',
    baseRef: 'main',
    reviewComments: [],
    checks: [{ name: 'ci', status: 'completed', conclusion: 'failure' }],
  };

  it('asks to address comments and checks, or to do what a request Harness wrote asks', () => {
    const plain = pullRequestPrompt('octo/app', pr, undefined, []);
    expect(plain).toContain('Address its open review comments and make its failing checks pass.');
    expect(plain).not.toContain('The request:');
    const asked = pullRequestPrompt('octo/app', pr, undefined, [], 'Make the failing checks pass.');
    expect(asked).toContain('Do what the request below asks; its open review comments and failing checks are context.');
    expect(asked).toContain('The request:\nMake the failing checks pass.');
    expect(asked).toContain('- ci: failure');
  });
});
