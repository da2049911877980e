import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestPermissionRequest } from '@agentclientprotocol/sdk/unstable';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@agent-harness/core';
import { acpEndpoints } from './acp-agent-runner.js';
import { OPENCODE_DESCRIPTOR } from './acp-descriptors.js';
import { decidePermission, isInside, permissionAnswer } from './acp-permission-policy.js';
import { AcpSessionUpdates } from './acp-session-updates.js';

const root = mkdtempSync(join(tmpdir(), 'acp-unit-'));
const worktree = join(root, 'work');
const outside = join(root, 'elsewhere');
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const OPTIONS = [
  { optionId: 'always', name: 'Always', kind: 'allow_always' },
  { optionId: 'once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'no', name: 'Reject', kind: 'reject_once' },
] as const;

function permission(toolCall: RequestPermissionRequest['toolCall']): RequestPermissionRequest {
  return { sessionId: 's', toolCall, options: [...OPTIONS] };
}

describe('ACP permissions: the worktree and the sandbox mode decide', () => {
  it('allows a change inside the worktree once, never always', () => {
    const decision = decidePermission(
      permission({ toolCallId: 't', kind: 'edit', rawInput: { file_path: join(worktree, 'a.ts') } }),
      undefined,
      { cwd: worktree, mode: 'workspace-write' },
    );
    expect(decision.allow).toBe(true);
    expect(permissionAnswer(OPTIONS, decision)).toEqual({ outcome: { outcome: 'selected', optionId: 'once' } });
  });

  it('refuses any path outside the worktree in every mode, from the request or what the call said before', () => {
    for (const mode of ['workspace-write', 'danger-full-access'] as const) {
      const direct = decidePermission(
        permission({ toolCallId: 't', rawInput: { filePath: join(outside, 'x') } }),
        undefined,
        { cwd: worktree, mode },
      );
      expect(direct).toEqual({ allow: false, why: `${join(outside, 'x')} is outside the worktree` });
    }
    const known = {
      title: 'Write',
      kind: 'edit' as const,
      paths: ['../escape.txt'],
      rawInput: {},
      diffs: [],
      announced: true,
      ended: false,
    };
    const earlier = decidePermission(permission({ toolCallId: 't' }), known, {
      cwd: worktree,
      mode: 'workspace-write',
    });
    expect(earlier.allow).toBe(false);
    expect(permissionAnswer(OPTIONS, earlier)).toEqual({ outcome: { outcome: 'selected', optionId: 'no' } });
    // No reject option offered: the request is cancelled, never allowed.
    expect(permissionAnswer([OPTIONS[1]], earlier)).toEqual({ outcome: { outcome: 'cancelled' } });
  });

  it('follows links: a link in the worktree to a folder outside is outside', () => {
    const links = mkdtempSync(join(root, 'links-'));
    symlinkSync(outside, join(links, 'out'));
    expect(isInside(links, join(links, 'out', 'file.txt'))).toBe(false);
    expect(isInside(links, join(links, 'new', 'file.txt'))).toBe(true);
    expect(isInside(links, links)).toBe(true);
    expect(isInside(links, `${links}-sibling/x`)).toBe(false);
  });

  it("refuses what it cannot check: '..' (through a link it leaves), '~', a URL, too many paths; finds paths at any depth", () => {
    const links = mkdtempSync(join(root, 'dots-'));
    symlinkSync(join(root, 'elsewhere'), join(links, 'link'));
    for (const path of ['link/../pwned', `${links}/a/../b`, '~/.ssh/id_rsa', 'file:///etc/passwd'])
      expect(isInside(links, path)).toBe(false);
    const nested = decidePermission(
      permission({
        toolCallId: 't',
        kind: 'edit',
        rawInput: { edits: [{ file_path: 'ok.ts' }, { file_path: '/etc/x' }] },
      }),
      undefined,
      { cwd: worktree, mode: 'workspace-write' },
    );
    expect(nested).toEqual({ allow: false, why: '/etc/x is outside the worktree' });
    const many = decidePermission(
      permission({ toolCallId: 't', locations: Array.from({ length: 65 }, (_, i) => ({ path: `f${String(i)}` })) }),
      undefined,
      { cwd: worktree, mode: 'workspace-write' },
    );
    expect(many).toEqual({ allow: false, why: 'it names 65 paths' });
    // Allowed once or not at all: an agent offering only "always" is answered "cancelled".
    expect(permissionAnswer([OPTIONS[0]], { allow: true, why: '' })).toEqual({ outcome: { outcome: 'cancelled' } });
  });

  it('refuses changes and unknown tools in a read-only run, allows reading', () => {
    const context = { cwd: worktree, mode: 'read-only' as const };
    expect(decidePermission(permission({ toolCallId: 't', kind: 'execute' }), undefined, context).allow).toBe(false);
    expect(decidePermission(permission({ toolCallId: 't' }), undefined, context).allow).toBe(false);
    expect(decidePermission(permission({ toolCallId: 't', kind: 'read' }), undefined, context).allow).toBe(true);
    expect(decidePermission(permission({ toolCallId: 't', kind: 'fetch' }), undefined, context).allow).toBe(false);
    // A call that said it edits cannot ask again as a read.
    const edit = {
      title: 'x',
      kind: 'edit' as const,
      paths: [],
      rawInput: {},
      diffs: [],
      announced: true,
      ended: false,
    };
    expect(decidePermission(permission({ toolCallId: 't', kind: 'read' }), edit, context).allow).toBe(false);
  });

  it('approval_policy auto-edit (no commands): edits are granted, a command never, even announced earlier', () => {
    const context = { cwd: worktree, mode: 'workspace-write' as const, commands: false };
    const run = decidePermission(permission({ toolCallId: 't', kind: 'execute' }), undefined, context);
    expect(run).toMatchObject({ allow: false, why: expect.stringContaining('approval_policy') as string });
    expect(decidePermission(permission({ toolCallId: 't', kind: 'edit' }), undefined, context).allow).toBe(true);
    const announced = {
      title: 'x',
      kind: 'execute' as const,
      paths: [],
      rawInput: {},
      diffs: [],
      announced: true,
      ended: false,
    };
    expect(decidePermission(permission({ toolCallId: 't', kind: 'edit' }), announced, context).allow).toBe(false);
    expect(
      decidePermission(permission({ toolCallId: 't', kind: 'execute' }), undefined, { ...context, commands: true })
        .allow,
    ).toBe(true);
    // A tool that says nothing of itself, or a fetch, is not an edit either.
    expect(decidePermission(permission({ toolCallId: 't' }), undefined, context).allow).toBe(false);
    expect(decidePermission(permission({ toolCallId: 't', kind: 'fetch' }), undefined, context).allow).toBe(false);
    expect(decidePermission(permission({ toolCallId: 't', kind: 'move' }), undefined, context).allow).toBe(true);
  });
});

describe('ACP session updates as agent events', () => {
  it('gathers chunks into messages, announces a tool call once its input is known, ends it with its files', () => {
    const updates = new AcpSessionUpdates();
    const events = [
      updates.push({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'Let me ' } }),
      updates.push({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'think.' } }),
      updates.push({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'I will ' } }),
      updates.push({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'write it.' } }),
      updates.push({ sessionUpdate: 'tool_call', toolCallId: 'w', title: 'Write', kind: 'edit', rawInput: {} }),
      updates.push({
        sessionUpdate: 'tool_call',
        toolCallId: 'w',
        title: 'Write a.txt',
        kind: 'edit',
        rawInput: { file_path: '/w/a.txt' },
        content: [{ type: 'diff', path: '/w/a.txt', oldText: null, newText: 'x' }],
      }),
      updates.push({ sessionUpdate: 'tool_call_update', toolCallId: 'w', status: 'completed', rawOutput: 'written' }),
      updates.push({ sessionUpdate: 'plan', entries: [{ content: 'test it', priority: 'high', status: 'pending' }] }),
      updates.push({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Done.' } }),
      updates.push({ sessionUpdate: 'usage_update', used: 10, size: 100, cost: { amount: 0.25, currency: 'USD' } }),
      updates.flush(),
    ].flat();
    expect(events).toEqual([
      { type: 'text', text: '(thinking) Let me think.' },
      { type: 'text', text: 'I will write it.' },
      { type: 'tool_call', id: 'w', name: 'Write a.txt', input: { file_path: '/w/a.txt' } },
      { type: 'tool_result', id: 'w', ok: true, output: 'written' },
      { type: 'file_change', changes: [{ path: '/w/a.txt', kind: 'add' }] },
      { type: 'text', text: 'Plan:\n- [pending] test it' },
      { type: 'text', text: 'Done.' },
    ]);
    expect(updates.finalText).toBe('Done.');
    expect(updates.costUsd(false)).toBe(0.25);
    // A loaded session's cost is its total: this run's is what it added, or unknown.
    expect(updates.costUsd(true)).toBeUndefined();
    updates.replayed({ sessionUpdate: 'usage_update', used: 1, size: 100, cost: { amount: 0.2, currency: 'USD' } });
    expect(updates.costUsd(true)).toBeCloseTo(0.05);
    updates.push({ sessionUpdate: 'usage_update', used: 1, size: 100, cost: { amount: -5, currency: 'USD' } });
    expect(updates.costUsd(false)).toBe(0.25);
  });

  it('a failed tool call changes no file; one never given input is still announced at its end', () => {
    const updates = new AcpSessionUpdates();
    const events = [
      updates.push({
        sessionUpdate: 'tool_call',
        toolCallId: 'r',
        title: 'rm',
        kind: 'delete',
        locations: [{ path: '/w/b' }],
      }),
      updates.push({
        sessionUpdate: 'tool_call_update',
        toolCallId: 'r',
        status: 'failed',
        content: [{ type: 'content', content: { type: 'text', text: 'denied' } }],
      }),
    ].flat();
    expect(events).toEqual([
      { type: 'tool_call', id: 'r', name: 'rm', input: { kind: 'delete', paths: ['/w/b'] } },
      { type: 'tool_result', id: 'r', ok: false, output: 'denied' },
    ]);
  });
});

describe('ACP endpoints', () => {
  it('are the *_BASE_URL variables and the base URLs of a JSON config, nothing else', () => {
    expect(
      acpEndpoints(
        {
          OPENCODE_CONFIG_CONTENT:
            '{"$schema":"https://opencode.ai/config.json","provider":{"a":{"options":{"baseURL":"http://127.0.0.1:4000/v1"}}}}',
          NOTE: 'see https://example.com/docs',
        },
        { GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:5000', HTTPS_PROXY: 'http://proxy:3128', PATH: '/bin' },
      ),
    ).toEqual(['http://127.0.0.1:5000', 'http://127.0.0.1:4000/v1']);
  });
});

describe("ACP agents' secrets", () => {
  it('are the values of their credentials whatever the names, and the keys of a JSON config in their env', () => {
    const toml = [
      '[agents.opencode]',
      'credentials = ["OPENROUTER_KEY"]',
      '[agents.opencode.env]',
      'OPENCODE_CONFIG_CONTENT = \'{"provider":{"x":{"options":{"apiKey":"sk-in-json-0123456789"}}}}\'',
    ].join('\n');
    const config = resolveConfig({ file: { path: 'h.toml', text: toml }, env: {}, homeDir: '/h', cwd: '/' });
    if (!config.ok) throw config.error;
    const secrets = OPENCODE_DESCRIPTOR.secrets(config.value, {
      OPENROUTER_KEY: 'or-unusual-name-0123456789',
      PATH: '/bin',
    });
    expect(secrets).toEqual(expect.arrayContaining(['or-unusual-name-0123456789', 'sk-in-json-0123456789']));
    expect(secrets).not.toContain('/bin');
  });
});
