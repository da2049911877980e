import { request } from 'node:http';
import { join } from 'node:path';
import { resolveConfig, type HarnessConfig } from '@agent-harness/core';
import { inspectProjectDirectory } from '@agent-harness/runtime';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDataDir,
  createTempGitRepo,
  fakeAgentToml,
  type FakeAgentScenario,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { bootstrapServer, type RunningServer } from '../../src/bootstrap.js';

/** A server started in this process on 127.0.0.1, with one project (`app`) and scripted agents. */
export interface TestServer {
  readonly url: string;
  readonly repo: TempGitRepo;
  readonly dataDir: TempDir;
  /** The `Host` header value of `url` (e.g. `127.0.0.1:41234`). */
  readonly host: string;
  close(): Promise<void>;
}

/** A resolved configuration from `[server]` keys and extra TOML, with its project roots checked on disk. */
export function testConfig(server: Record<string, string>, extraToml = ''): HarnessConfig {
  const lines = Object.entries({ http_addr: '127.0.0.1:0', ...server }).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const result = resolveConfig({
    file: { path: '/x/h.toml', text: `[server]\n${lines.join('\n')}\n${extraToml}` },
    env: {},
    homeDir: '/h',
    cwd: '/',
    inspectDirectory: (path) => inspectProjectDirectory(path, { PATH: process.env['PATH'] }),
  });
  if (!result.ok) throw result.error;
  return result.value;
}

export async function startTestServer(
  options: { token?: string; scenario?: FakeAgentScenario; sseHeartbeatMs?: number; home?: string } = {},
): Promise<TestServer> {
  const dataDir = await createTempDataDir();
  const repo = await createTempGitRepo();
  let server: RunningServer | undefined;
  try {
    const config = testConfig(
      { data_dir: dataDir.path, ...(options.token === undefined ? {} : { api_token: options.token }) },
      [
        `[agents.claude]`,
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        fakeAgentToml('claude', options.scenario ?? { edits: [{ path: 'f.txt', content: 'x\n' }] }),
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        '',
      ].join('\n'),
    );
    const env = {
      PATH: process.env['PATH'],
      ...repo.gitEnv,
      ...(options.home === undefined ? {} : { HOME: options.home }),
    };
    server = await bootstrapServer(config, {
      env,
      ...(options.sseHeartbeatMs === undefined ? {} : { sseHeartbeatMs: options.sseHeartbeatMs }),
    });
  } catch (error) {
    await repo.cleanup();
    await dataDir.cleanup();
    throw error;
  }
  const running = server;
  return {
    url: running.url,
    repo,
    dataDir,
    host: new URL(running.url).host,
    close: async () => {
      await running.close();
      await repo.cleanup();
      await dataDir.cleanup();
    },
  };
}

/** A response read whole: status, headers and the body parsed as JSON when it is JSON. */
export interface ReadResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

export async function send(url: string, init: RequestInit = {}): Promise<ReadResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** True when a body has the API's one error shape: `{"error": {"code", "message", "details"?}}` and nothing else. */
export function isErrorBody(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Object.keys(json).join() !== 'error') return false;
  const error = (json as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, details, ...rest } = error as Record<string, unknown>;
  return (
    typeof code === 'string' &&
    /^[A-Z_]+$/.test(code) &&
    typeof message === 'string' &&
    message !== '' &&
    (details === undefined || (typeof details === 'object' && details !== null)) &&
    Object.keys(rest).length === 0
  );
}

/**
 * One request through node:http, with exactly the headers given (a `Host` of our choice, no
 * defaults added by fetch); the body is sent as is, chunked when no content-length is given.
 */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<ReadResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: target.host, ...options.headers },
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
