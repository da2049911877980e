import { describe, expect, it } from 'vitest';
import { agentEnv, commandEnv, gitEnv } from './child-env.js';
import { isSafeBranchName } from './ref-name.js';
import { REDACTED_SECRET, SecretRedactor, secretValues } from './secret-redactor.js';

describe('isSafeBranchName', () => {
  it('accepts ordinary branch names', () => {
    for (const name of ['main', 'release/1.2', 'feature/x_y-z', 'harness/0123abcd-fix-it', 'v1.0'])
      expect(isSafeBranchName(name), name).toBe(true);
  });

  it('refuses option-like names and what git check-ref-format refuses', () => {
    const bad = [
      '--upload-pack=touch /tmp/pwned',
      '-b',
      '',
      'a..b',
      'a b',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      '/a',
      'a/',
      'a.',
      '.a',
      'a/.b',
      'a.lock',
      'a/b.lock/c',
      '@',
      'a@{1}',
      'a//b',
      'a\u0000b',
      'a\nb',
      'x'.repeat(256),
    ];
    for (const name of bad) expect(isSafeBranchName(name), JSON.stringify(name)).toBe(false);
  });
});

describe('child environments', () => {
  const base = {
    PATH: '/bin',
    HOME: '/home/u',
    LC_ALL: 'C',
    GITHUB_TOKEN: 'ghp_canary',
    HARNESS_API_TOKEN: 'h',
    ANTHROPIC_API_KEY: 'sk',
    SSH_AUTH_SOCK: '/s',
    RANDOM_THING: 'x',
  };

  it('gives validation commands the allow-list, where the trusted certificates are, and the configured env only', () => {
    expect(commandEnv(base, { NODE_ENV: 'test' })).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      LC_ALL: 'C',
      NODE_ENV: 'test',
    });
    // Behind a TLS-inspecting proxy, installs need the CA bundle; a proxy's own URL stays out.
    const behindProxy = {
      ...base,
      NODE_EXTRA_CA_CERTS: '/etc/ssl/ca.crt',
      SSL_CERT_FILE: '/etc/ssl/ca.crt',
      HTTPS_PROXY: 'http://u:p@proxy:3128',
    };
    expect(commandEnv(behindProxy)).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      LC_ALL: 'C',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/ca.crt',
      SSL_CERT_FILE: '/etc/ssl/ca.crt',
    });
  });

  it('gives git what it needs to reach remotes, and no secret', () => {
    expect(gitEnv(base)).toEqual({ PATH: '/bin', HOME: '/home/u', LC_ALL: 'C', SSH_AUTH_SOCK: '/s' });
  });

  describe('agentEnv', () => {
    const server = {
      PATH: '/bin',
      HOME: '/home/u',
      USER: 'u',
      LOGNAME: 'u',
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      TERM: 'xterm',
      TMPDIR: '/tmp/u',
      TZ: 'UTC',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
      SSL_CERT_FILE: '/etc/ca.pem',
      GIT_CONFIG_GLOBAL: '/home/u/.gitconfig',
      GIT_AUTHOR_NAME: 'U',
      ANTHROPIC_API_KEY: 'sk-ant',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787',
      CLAUDE_CONFIG_DIR: '/home/u/.claude',
      CLAUDE_CODE_ENTRYPOINT: 'cli',
      OPENAI_API_KEY: 'sk-openai',
      HARNESS_DATABASE_URL: 'postgres://harness:pw@db/harness',
      HARNESS_API_TOKEN: 'h',
      DATABASE_URL: 'postgres://app:pw@db/app',
      AWS_SECRET_ACCESS_KEY: 'aws',
      AWS_ACCESS_KEY_ID: 'AKIA',
      GOOGLE_APPLICATION_CREDENTIALS: '/k.json',
      AZURE_CLIENT_SECRET: 'az',
      GITHUB_TOKEN: 'ghp_canary',
      GH_TOKEN: 'gh',
      SSH_AUTH_SOCK: '/s',
      GIT_SSH_COMMAND: 'ssh -i /home/u/.ssh/deploy',
      NPM_TOKEN: 'npm',
      RANDOM_THING: 'x',
      UNSET: undefined,
    };
    const claude = {
      names: ['CLAUDE_CONFIG_DIR'],
      prefixes: ['ANTHROPIC_', 'CLAUDE_CODE_'],
      except: ['CLAUDE_CODE_ENTRYPOINT'],
    };

    it("keeps the base, proxies, TLS certificates, git's identity and the agent's own variables, nothing else", () => {
      expect(agentEnv(server, claude)).toEqual({
        PATH: '/bin',
        HOME: '/home/u',
        USER: 'u',
        LOGNAME: 'u',
        SHELL: '/bin/bash',
        LANG: 'C.UTF-8',
        LC_ALL: 'C',
        TERM: 'xterm',
        TMPDIR: '/tmp/u',
        TZ: 'UTC',
        HTTPS_PROXY: 'http://proxy:3128',
        no_proxy: 'localhost',
        NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
        SSL_CERT_FILE: '/etc/ca.pem',
        GIT_CONFIG_GLOBAL: '/home/u/.gitconfig',
        GIT_AUTHOR_NAME: 'U',
        ANTHROPIC_API_KEY: 'sk-ant',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787',
        CLAUDE_CONFIG_DIR: '/home/u/.claude',
      });
    });

    it("gives another agent its own provider's variables, not Claude's", () => {
      const env = agentEnv(server, { names: [], prefixes: ['OPENAI_'] });
      expect(env['OPENAI_API_KEY']).toBe('sk-openai');
      expect(env).not.toHaveProperty('ANTHROPIC_API_KEY');
      expect(env).not.toHaveProperty('CLAUDE_CONFIG_DIR');
    });

    it('adds the overlays in order, which may name anything (the configured env, then the request)', () => {
      const env = agentEnv(
        server,
        claude,
        { AWS_REGION: 'eu-west-1', ANTHROPIC_BASE_URL: 'http://proxy' },
        { HARNESS_TASK_ID: 't-1', ANTHROPIC_BASE_URL: 'http://request' },
      );
      expect(env).toMatchObject({
        AWS_REGION: 'eu-west-1',
        HARNESS_TASK_ID: 't-1',
        ANTHROPIC_BASE_URL: 'http://request',
      });
      expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    });
  });
});

describe('SecretRedactor', () => {
  it('finds secrets by configuration and by variable name, ignoring short values', () => {
    expect(
      secretValues(
        { GITHUB_TOKEN: 'ghp_0123456789', MY_PASSWORD: 'hunter2hunter2', SHORT_TOKEN: 'abc', PATH: '/usr/bin:/bin' },
        ['sk-ant-0123456789', undefined],
      ).sort(),
    ).toEqual(['ghp_0123456789', 'hunter2hunter2', 'sk-ant-0123456789']);
  });

  it("takes a URL's password (and the URL) whatever the variable is named: DATABASE_URL, a proxy", () => {
    expect(
      secretValues(
        {
          DATABASE_URL: 'postgres://app:s3cr%40t-pass@db.internal:5432/app',
          HTTPS_PROXY: 'http://me:proxy-pass-123@proxy:3128',
          PLAIN_URL: 'https://example.com/x',
          USER_ONLY: 'postgres://app@db/app',
        },
        [],
      ).sort(),
    ).toEqual(
      [
        'postgres://app:s3cr%40t-pass@db.internal:5432/app',
        's3cr%40t-pass',
        's3cr@t-pass',
        'http://me:proxy-pass-123@proxy:3128',
        'proxy-pass-123',
      ].sort(),
    );
  });

  it('redacts every occurrence in text and nested values, longest secret first', () => {
    const redactor = new SecretRedactor(['ghp_0123456789', 'ghp_0123456789_long']);
    expect(redactor.text('a ghp_0123456789_long b ghp_0123456789')).toBe(`a ${REDACTED_SECRET} b ${REDACTED_SECRET}`);
    expect(redactor.value({ out: ['GITHUB_TOKEN=ghp_0123456789'], n: 1, ok: true, none: null })).toEqual({
      out: [`GITHUB_TOKEN=${REDACTED_SECRET}`],
      n: 1,
      ok: true,
      none: null,
    });
  });
});
