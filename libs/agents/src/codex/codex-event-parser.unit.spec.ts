import type { AgentEvent } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { CodexEventParser } from './codex-event-parser.js';

// Lines as Codex 0.169.0 printed them against a local model server (shared/reference/toolchain.md).
const SHELL_CAPTURE = [
  '{"type":"thread.started","thread_id":"01a20a57-166b-7d61-b41c-ff0776ebce8d"}',
  '{"type":"turn.started"}',
  '{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \\"printf \'%s\\\\\\\\n\' \'hello from the fake model\' > hello.txt && ls -l hello.txt\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \\"printf \'%s\\\\\\\\n\' \'hello from the fake model\' > hello.txt && ls -l hello.txt\\"","aggregated_output":"-rw-r--r-- 1 root root 26 Nov 23 21:36 hello.txt\\n","exit_code":0,"status":"completed"}}',
  '{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"Done: I created hello.txt."}}',
  '{"type":"turn.completed","usage":{"input_tokens":19165,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":20,"reasoning_output_tokens":0}}',
];
const PATCH_CAPTURE = [
  '{"type":"thread.started","thread_id":"01a20a57-1b34-7ce1-9ee6-d85356ff030b"}',
  '{"type":"turn.started"}',
  '{"type":"item.started","item":{"id":"item_0","type":"file_change","changes":[{"path":"/w/hello.txt","kind":"add"}],"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_0","type":"file_change","changes":[{"path":"/w/hello.txt","kind":"add"}],"status":"completed"}}',
  '{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"Done: I created hello.txt."}}',
  '{"type":"turn.completed","usage":{"input_tokens":19159,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":20,"reasoning_output_tokens":0}}',
];

function parse(lines: readonly string[]): { events: AgentEvent[]; parser: CodexEventParser } {
  const parser = new CodexEventParser();
  return { events: lines.flatMap((line) => parser.push(line)), parser };
}

describe('CodexEventParser', () => {
  it('normalizes a shell run', () => {
    const { events, parser } = parse(SHELL_CAPTURE);
    expect(events.map((e) => e.type)).toEqual(['session_started', 'tool_call', 'tool_result', 'text', 'usage']);
    expect(events[1]).toMatchObject({ type: 'tool_call', id: 'item_0', name: 'shell' });
    expect(events[2]).toEqual({
      type: 'tool_result',
      id: 'item_0',
      ok: true,
      output: '-rw-r--r-- 1 root root 26 Nov 23 21:36 hello.txt\n',
    });
    expect(parser.end()).toEqual({
      ok: true,
      reason: 'completed',
      finalText: 'Done: I created hello.txt.',
      sessionId: '01a20a57-166b-7d61-b41c-ff0776ebce8d',
      usage: { inputTokens: 19165, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 20 },
    });
  });

  it('reports an apply_patch edit as a file change', () => {
    const { events } = parse(PATCH_CAPTURE);
    expect(events.filter((e) => e.type === 'file_change')).toEqual([
      { type: 'file_change', changes: [{ path: '/w/hello.txt', kind: 'add' }] },
    ]);
  });

  it('skips noise and unknown events', () => {
    const { events, parser } = parse([
      'Reading additional input from stdin...',
      '{"type":"item.plan.delta","item_id":"x","delta":"d"}',
      '{"type":"item.completed","item":{"id":"t","type":"todo_list","items":[]}}',
      ...SHELL_CAPTURE,
    ]);
    expect(events).toHaveLength(5);
    expect(parser.end().ok).toBe(true);
  });

  it('recognizes quota, rate-limit and credential failures', () => {
    const failed = (message: string) =>
      parse([SHELL_CAPTURE[0]!, JSON.stringify({ type: 'turn.failed', error: { message } })]).parser.end();
    expect(failed('Quota exceeded. Check your plan and billing details.')).toMatchObject({
      ok: false,
      reason: 'quota_exceeded',
    });
    expect(failed('exceeded retry limit, last status: 429 Too Many Requests')).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
    expect(failed('unexpected status 401 Unauthorized: invalid api key')).toMatchObject({
      ok: false,
      reason: 'auth_failed',
    });
    expect(failed('stream disconnected before completion')).toMatchObject({
      ok: false,
      reason: 'failed',
      message: 'stream disconnected before completion',
    });
  });

  it('fails a stream that ended on errors without a completed turn', () => {
    const { parser } = parse([
      SHELL_CAPTURE[0]!,
      '{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}',
    ]);
    expect(parser.end()).toMatchObject({
      ok: false,
      reason: 'failed',
      message: expect.stringContaining('Reconnecting') as string,
    });
    expect(parse(SHELL_CAPTURE.slice(0, 3)).parser.end().ok).toBeUndefined();
  });

  it('reports reconnects as unreachable until the model produces something', () => {
    // As Codex 0.169.0 prints them against a closed port (and with its own retries, a failed WebSocket).
    const { parser } = parse([
      '{"type":"thread.started","thread_id":"t"}',
      '{"type":"turn.started"}',
      '{"type":"error","message":"Reconnecting... 2/5 (stream disconnected before completion: failed to lookup address information: Name does not resolve)"}',
      '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Falling back from WebSockets to HTTPS transport. stream disconnected before completion"}}',
      '{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}',
    ]);
    expect(parser.connectionFailure()).toBe(
      'Reconnecting... waiting for network (Connection failed: error sending request)',
    );
    parser.push('{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"hi"}}');
    expect(parser.connectionFailure()).toBeUndefined();
    parser.push('{"type":"error","message":"unexpected status 500"}');
    expect(parser.connectionFailure()).toBeUndefined();
  });

  it('stops a run that asks for user input', () => {
    const { events, parser } = parse(['{"type":"request_user_input","id":"r","call_id":"c","questions":[]}']);
    expect(events).toEqual([
      { type: 'error', message: 'the agent asked for user input, which an unattended run cannot give', fatal: true },
    ]);
    expect(parser.end()).toMatchObject({ ok: false, reason: 'failed' });
  });

  it('reports failed and declined commands as failed tool results', () => {
    const item = (status: string, exit: number | null) =>
      JSON.stringify({
        type: 'item.completed',
        item: { id: 'c', type: 'command_execution', command: 'x', aggregated_output: 'o', exit_code: exit, status },
      });
    expect(parse([item('failed', 2)]).events[1]).toEqual({ type: 'tool_result', id: 'c', ok: false, output: 'o' });
    expect(parse([item('declined', null)]).events[1]).toMatchObject({ ok: false });
  });
});
