import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfiguredSandbox } from '@agent-harness/agents';
import { ConfigError, formatConfigToml, SecretRedactor } from '@agent-harness/core';
import { GitHubAppCredentials, StaticTokenCredentials } from '@agent-harness/github';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config/load-config.js';
import { describeGitHubAuth, privateKeySecrets, readGitHubAppKey } from './config/github-app-key.js';
import { githubCredentialsOf } from './github-auth.js';
import { gitCredentials } from './harness-settings.js';

// A key made for these tests only, written to a temp file (never a file in the repository).
const PEM = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

describe('[github.app]', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  const load = (toml: string, env: Record<string, string> = {}) => {
    writeFileSync(join(dir.path, 'h.toml'), toml);
    return loadConfig({ configPath: 'h.toml', env, cwd: dir.path, homeDir: dir.path });
  };
  const problems = (result: ReturnType<typeof load>) => (result.ok ? [] : result.error.problems);

  it('reads app_id, the key path (relative to the file) and installation_id; the App wins over GITHUB_TOKEN', () => {
    writeFileSync(join(dir.path, 'app.pem'), PEM);
    const result = load('[github.app]\napp_id = 42\nprivate_key_path = "app.pem"\ninstallation_id = 7\n', {
      GITHUB_TOKEN: 'ghp_also_set_here',
    });
    if (!result.ok) throw result.error;
    const config = result.value;
    expect(config.github.app).toEqual({ app_id: 42, private_key_path: join(dir.path, 'app.pem'), installation_id: 7 });
    const key = readGitHubAppKey(config);
    expect(key).toBe(PEM);
    const credentials = githubCredentialsOf(config, key);
    expect(credentials).toBeInstanceOf(GitHubAppCredentials);
    expect(credentials?.description).toBe('GitHub App 42 (installation 7)');
    expect(describeGitHubAuth(config)).toBe(
      `GitHub App 42 (installation 7, key ${join(dir.path, 'app.pem')}); GITHUB_TOKEN is set too and unused: the App wins`,
    );
    // git gets a provider (a fresh installation token per push), not the personal token.
    expect(typeof gitCredentials(config, credentials)?.token).toBe('function');
    // `config show` prints the path, never the key (it is not in the configuration at all).
    const shown = formatConfigToml(config);
    expect(shown).toContain('private_key_path');
    expect(shown).not.toContain('PRIVATE KEY');
    // Agents and project commands never read the key file, wherever it is.
    const policy = ConfiguredSandbox.fromConfig(config, dir.path).policy('workspace-write', '/tmp/wt', [], {
      kind: 'none',
    });
    expect(policy.denyRead).toContain(join(dir.path, 'app.pem'));
    // The redactor hides the key whole and line by line.
    const redactor = new SecretRedactor(privateKeySecrets(key));
    const bodyLine = PEM.split('\n')[3] ?? '';
    expect(redactor.text(`leak: ${PEM}`)).not.toContain(bodyLine);
    expect(redactor.text(`part: ${bodyLine}`)).not.toContain(bodyLine);
  });

  it('without [github.app], GITHUB_TOKEN as before', () => {
    const result = load('[github]\n', { GITHUB_TOKEN: 'ghp_personal_token' });
    if (!result.ok) throw result.error;
    expect(result.value.github.app).toBeUndefined();
    expect(readGitHubAppKey(result.value)).toBeUndefined();
    expect(githubCredentialsOf(result.value, undefined)).toBeInstanceOf(StaticTokenCredentials);
    expect(gitCredentials(result.value, githubCredentialsOf(result.value, undefined))).toEqual({
      token: 'ghp_personal_token',
      hosts: ['github.com'],
    });
    expect(describeGitHubAuth(result.value)).toBe('personal token (GITHUB_TOKEN)');
  });

  it('app_id must be a positive integer; both keys are required', () => {
    writeFileSync(join(dir.path, 'app.pem'), PEM);
    expect(problems(load('[github.app]\napp_id = "42"\nprivate_key_path = "app.pem"\n'))).toEqual([
      { path: 'github.app.app_id', message: 'must be a positive integer' },
    ]);
    expect(problems(load('[github.app]\napp_id = 0\nprivate_key_path = "app.pem"\ninstallation_id = -1\n'))).toEqual([
      { path: 'github.app.app_id', message: 'must be a positive integer' },
      { path: 'github.app.installation_id', message: 'must be a positive integer' },
    ]);
    expect(problems(load('[github.app]\n'))).toEqual([
      { path: 'github.app.app_id', message: 'is required' },
      { path: 'github.app.private_key_path', message: 'is required' },
    ]);
  });

  it('a missing, unreadable or non-PEM key file is a config error naming the key, never quoting the file', () => {
    const missing = join(dir.path, 'nope.pem');
    expect(problems(load('[github.app]\napp_id = 42\nprivate_key_path = "nope.pem"\n'))).toEqual([
      { path: 'github.app.private_key_path', message: `cannot read ${missing}: no such file` },
    ]);
    writeFileSync(join(dir.path, 'token.pem'), 'ghp_this_is_not_a_key_but_a_secret');
    const notPem = problems(load('[github.app]\napp_id = 42\nprivate_key_path = "token.pem"\n'));
    expect(notPem).toEqual([
      { path: 'github.app.private_key_path', message: expect.stringContaining('is not a PEM private key') as unknown },
    ]);
    expect(JSON.stringify(notPem)).not.toContain('ghp_this_is_not_a_key');
    // A PEM block that does not parse, and a key of another kind.
    writeFileSync(
      join(dir.path, 'broken.pem'),
      '-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n',
    );
    expect(problems(load('[github.app]\napp_id = 42\nprivate_key_path = "broken.pem"\n'))[0]?.message).toContain(
      'is not a PEM private key',
    );
    writeFileSync(
      join(dir.path, 'ec.pem'),
      generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
    );
    expect(problems(load('[github.app]\napp_id = 42\nprivate_key_path = "ec.pem"\n'))[0]?.message).toContain(
      "holds an ec key; a GitHub App's key is RSA",
    );
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir.path, 'locked.pem'), PEM);
      chmodSync(join(dir.path, 'locked.pem'), 0o000);
      expect(problems(load('[github.app]\napp_id = 42\nprivate_key_path = "locked.pem"\n'))[0]?.message).toContain(
        'permission denied',
      );
    }
  });

  it('createHarness reads the key first: a key gone since loading is a ConfigError before anything opens', () => {
    writeFileSync(join(dir.path, 'app.pem'), PEM);
    const result = load('[github.app]\napp_id = 42\nprivate_key_path = "app.pem"\n');
    if (!result.ok) throw result.error;
    writeFileSync(join(dir.path, 'app.pem'), 'gone');
    expect(() => readGitHubAppKey(result.value)).toThrow(ConfigError);
    expect(() => readGitHubAppKey(result.value)).toThrow(/github\.app\.private_key_path/);
  });
});
