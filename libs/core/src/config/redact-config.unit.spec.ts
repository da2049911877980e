import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { formatConfigToml, redactConfig } from './redact-config.js';
import { resolveConfig } from './resolve-config.js';

describe('redactConfig', () => {
  const result = resolveConfig({
    file: {
      path: '/c/h.toml',
      text: '[server]\napi_token = "file-token-0123456789"\ngithub_webhook_secret = "hook-secret"\n[database]\nurl = "postgres://ann:db-pw@db/harness"\n[agents.claude.env]\nANTHROPIC_API_KEY = "sk-ant-in-env"\n[[notify]]\nurl = "https://hooks.slack.com/services/T0/B0/slack-url-secret"\nsecret = "notify-hmac-secret-0123"\nformat = "slack"\n',
    },
    env: { GITHUB_TOKEN: 'ghp_abc', ANTHROPIC_API_KEY: 'sk-ant-key' },
    homeDir: '/h',
    cwd: '/c',
  });
  if (!result.ok) throw result.error;
  const config = result.value;

  it('replaces every secret, including agent env values, and keeps everything else', () => {
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of [
      'file-token',
      'hook-secret',
      'db-pw',
      'sk-ant-in-env',
      'ghp_abc',
      'sk-ant-key',
      'slack-url-secret',
      'notify-hmac-secret',
    ]) {
      expect(shown).not.toContain(secret);
    }
    const redacted = redactConfig(config) as { server: Record<string, unknown>; agents: { claude: { env: unknown } } };
    expect(redacted.server['api_token']).toBe('***');
    expect((redactConfig(config) as { database: unknown }).database).toEqual({ url: '***' });
    expect(redacted.server['http_addr']).toBe('127.0.0.1:9800');
    expect(redacted.agents.claude.env).toEqual({ ANTHROPIC_API_KEY: '***' });
    // A webhook URL is its credential; the rest of the endpoint stays readable.
    expect((redactConfig(config) as { notify: unknown }).notify).toEqual([
      { url: '***', secret: '***', format: 'slack', events: ['done', 'failed', 'budget_reached'] },
    ]);
  });

  it('names each problem of a [[notify]] endpoint by its TOML path', () => {
    const bad = resolveConfig({
      file: {
        path: '/c/h.toml',
        text: '[[notify]]\nurl = "ftp://example.com"\nsecret = "short"\nevents = ["done", "merged"]\nformat = "xml"\n[[notify]]\n',
      },
      env: {},
      homeDir: '/h',
      cwd: '/c',
    });
    expect(bad.ok ? [] : bad.error.problems.map((p) => p.path)).toEqual([
      'notify[0].url',
      'notify[0].format',
      'notify[0].secret',
      'notify[0].events[1]',
      'notify[1].url',
    ]);
  });

  it('prints TOML that parses back to the same non-secret values', () => {
    const text = formatConfigToml(config);
    expect(text).not.toContain('ghp_abc');
    const reparsed = parse(text) as { concurrency: unknown; server: { api_token: unknown } };
    expect(reparsed.concurrency).toEqual({ max_concurrent_tasks: 4, max_queue_size: 32 });
    expect(reparsed.server.api_token).toBe('***');
  });
});
