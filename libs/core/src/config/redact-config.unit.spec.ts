import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { formatConfigToml, redactConfig } from './redact-config.js';
import { resolveConfig } from './resolve-config.js';

describe('redactConfig', () => {
  const result = resolveConfig({
    file: {
      path: '/c/h.toml',
      text: '[server]\napi_token = "file-token-0123456789"\ngithub_webhook_secret = "hook-secret"\n[database]\nurl = "postgres://ann:db-pw@db/harness"\n[agents.claude.env]\nANTHROPIC_API_KEY = "sk-ant-in-env"\n',
    },
    env: { GITHUB_TOKEN: 'ghp_abc', ANTHROPIC_API_KEY: 'sk-ant-key' },
    homeDir: '/h',
    cwd: '/c',
  });
  if (!result.ok) throw result.error;
  const config = result.value;

  it('replaces every secret, including agent env values, and keeps everything else', () => {
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ['file-token', 'hook-secret', 'db-pw', 'sk-ant-in-env', 'ghp_abc', 'sk-ant-key']) {
      expect(shown).not.toContain(secret);
    }
    const redacted = redactConfig(config) as { server: Record<string, unknown>; agents: { claude: { env: unknown } } };
    expect(redacted.server['api_token']).toBe('***');
    expect((redactConfig(config) as { database: unknown }).database).toEqual({ url: '***' });
    expect(redacted.server['http_addr']).toBe('127.0.0.1:9800');
    expect(redacted.agents.claude.env).toEqual({ ANTHROPIC_API_KEY: '***' });
  });

  it('prints TOML that parses back to the same non-secret values', () => {
    const text = formatConfigToml(config);
    expect(text).not.toContain('ghp_abc');
    const reparsed = parse(text) as { concurrency: unknown; server: { api_token: unknown } };
    expect(reparsed.concurrency).toEqual({ max_concurrent_tasks: 4, max_queue_size: 32 });
    expect(reparsed.server.api_token).toBe('***');
  });
});
