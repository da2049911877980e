import type { AgentEvent } from '@agent-harness/core';
import { describe, expect, it } from 'vitest';
import { ClaudeStreamParser } from './claude-stream-parser.js';

// Lines as Claude Code 2.1.330 printed them against a local model server (shared/reference/toolchain.md),
// shortened only where the reference shortens them.
const CAPTURE = [
  '{"type":"system","subtype":"init","cwd":"/w","session_id":"e00140e8-aaaa","tools":["Task","Bash","Edit","Write"],"mcp_servers":[],"model":"claude-opus-5-5","permissionMode":"bypassPermissions","slash_commands":[],"apiKeySource":"ANTHROPIC_API_KEY","claude_code_version":"2.1.330","output_style":"default","agents":["claude"],"skills":[],"plugins":[],"analytics_disabled":true,"uuid":"u1","fast_mode_state":"off"}',
  '{"type":"assistant","message":{"id":"msg_fake_50cc","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"I will create the file."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12331,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"e00140e8-aaaa","uuid":"u2","timestamp":"2026-11-23T21:36:45.436Z","request_id":"req_fake_2536"}',
  '{"type":"assistant","message":{"id":"msg_fake_50cc","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"tool_use","id":"toolu_fake_2","name":"Write","input":{"file_path":"/w/hello.txt","content":"hello from the fake model\\n"}}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12331,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"e00140e8-aaaa","uuid":"u3"}',
  '{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_fake_2","type":"tool_result","content":"File created successfully at: /w/hello.txt (file state is current in your context — no need to Read it back)"}]},"parent_tool_use_id":null,"session_id":"e00140e8-aaaa","uuid":"u4","tool_use_result":{"type":"create","filePath":"/w/hello.txt","content":"hello from the fake model\\n","structuredPatch":[],"originalFile":null,"userModified":false},"tool_result_meta":[{"id":"toolu_fake_2","permission_decision":{"decision":"accept","source":"config","reason_type":"mode"}}]}',
  '{"type":"assistant","message":{"id":"msg_fake_f468","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"Done: I created hello.txt."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12449,"output_tokens":13,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}},"parent_tool_use_id":null,"session_id":"e00140e8-aaaa","uuid":"u5"}',
  '{"duration_api_ms":50,"stop_reason":"end_turn","session_id":"e00140e8-aaaa","total_cost_usd":0.0994,"usage":{"input_tokens":24780,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":14},"modelUsage":{"claude-opus-5-5":{"inputTokens":24780,"outputTokens":14,"contextWindow":1000000,"maxOutputTokens":128000}},"permission_denials":[],"terminal_reason":"completed","is_error":false,"num_turns":2,"subtype":"success","api_error_status":null,"result":"Done: I created hello.txt.","ttft_ms":128,"type":"result","duration_ms":212,"uuid":"u6"}',
];

function parse(lines: readonly string[]): { events: AgentEvent[]; parser: ClaudeStreamParser } {
  const parser = new ClaudeStreamParser();
  return { events: lines.flatMap((line) => parser.push(line)), parser };
}

describe('ClaudeStreamParser', () => {
  it('normalizes a real capture into events, in order', () => {
    const { events, parser } = parse(CAPTURE);
    expect(events.map((e) => e.type)).toEqual([
      'session_started',
      'text',
      'usage',
      'tool_call',
      'file_change',
      'tool_result',
      'text',
      'usage',
    ]);
    expect(events[0]).toEqual({ type: 'session_started', sessionId: 'e00140e8-aaaa', model: 'claude-opus-5-5' });
    expect(events[3]).toEqual({
      type: 'tool_call',
      id: 'toolu_fake_2',
      name: 'Write',
      input: { file_path: '/w/hello.txt', content: 'hello from the fake model\n' },
    });
    expect(events[4]).toEqual({ type: 'file_change', changes: [{ path: '/w/hello.txt', kind: 'add' }] });
    expect(events[5]).toMatchObject({
      type: 'tool_result',
      id: 'toolu_fake_2',
      ok: true,
      output: expect.stringContaining('File created successfully') as string,
    });
    expect(parser.end()).toEqual({
      ok: true,
      reason: 'completed',
      finalText: 'Done: I created hello.txt.',
      sessionId: 'e00140e8-aaaa',
      usage: { inputTokens: 24780, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 14 },
      costUsd: 0.0994,
      rateLimitResetAt: undefined,
    });
  });

  it('charges usage once per message id, even when one step prints several lines', () => {
    const { events } = parse(CAPTURE);
    const usage = events.filter((e) => e.type === 'usage');
    expect(usage).toEqual([
      { type: 'usage', inputTokens: 12331, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1 },
      { type: 'usage', inputTokens: 12449, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 13 },
    ]);
  });

  it('charges only the growth when a later line of the same message reports more output', () => {
    const line = (out: number) =>
      JSON.stringify({
        type: 'assistant',
        session_id: 's',
        parent_tool_use_id: null,
        message: { id: 'msg_1', content: [], usage: { input_tokens: 10, output_tokens: out } },
      });
    const { events } = parse([line(5), line(5), line(9)]);
    expect(events.flatMap((e) => (e.type === 'usage' ? [[e.inputTokens, e.outputTokens]] : []))).toEqual([
      [10, 5],
      [0, 4],
    ]);
  });

  it('skips non-JSON lines and unknown types without failing', () => {
    const { events, parser } = parse(['not json', '{"type":"brand_new_thing"}', '[1,2]', '{"broken', ...CAPTURE]);
    expect(events).toHaveLength(8);
    expect(parser.end().ok).toBe(true);
  });

  it('treats a 429 inside a "success" result as a rate limit, not a success', () => {
    const result =
      '{"type":"result","subtype":"success","is_error":true,"api_error_status":429,"terminal_reason":"api_error","session_id":"s","result":"API Error: 429 usage limit reached"}';
    const outcome = parse([CAPTURE[0]!, result]).parser.end();
    expect(outcome).toMatchObject({ ok: false, reason: 'rate_limited', message: 'API Error: 429 usage limit reached' });
  });

  it('classifies budget exhaustion and plain errors', () => {
    const budget =
      '{"type":"result","subtype":"error_max_budget_usd","is_error":true,"terminal_reason":"budget_exhausted","errors":["Reached maximum budget ($0.02)"],"session_id":"s"}';
    expect(parse([budget]).parser.end()).toMatchObject({
      ok: false,
      reason: 'budget_exceeded',
      message: 'Reached maximum budget ($0.02)',
    });
    const failed = '{"type":"result","subtype":"error_during_execution","is_error":false,"session_id":"s"}';
    expect(parse([failed]).parser.end()).toMatchObject({
      ok: false,
      reason: 'failed',
      message: 'claude reported error_during_execution',
    });
    const blocking =
      '{"type":"result","subtype":"success","is_error":true,"terminal_reason":"blocking_limit","result":"Prompt is too long: rate limit","session_id":"s"}';
    expect(parse([blocking]).parser.end()).toMatchObject({ ok: false, reason: 'failed' });
  });

  it('reports rate_limit_event with its reset time and a usage-limit assistant line', () => {
    const event =
      '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1790000000,"rateLimitType":"five_hour"},"session_id":"s"}';
    const { events, parser } = parse([event, '{"type":"rate_limit_event","rate_limit_info":{"status":"allowed"}}']);
    expect(events).toEqual([
      { type: 'rate_limited', message: 'rate limit reached (five_hour)', resetAt: '2026-09-21T14:13:20.000Z' },
    ]);
    expect(parser.end().rateLimitResetAt).toBe('2026-09-21T14:13:20.000Z');
    const synthetic =
      '{"type":"assistant","error":"rate_limit","is_api_error_message":true,"session_id":"s","parent_tool_use_id":null,"message":{"id":"m","model":"<synthetic>","content":[{"type":"text","text":"You\'ve hit your session limit · resets 9am"}]}}';
    expect(parse([synthetic]).events.map((e) => e.type)).toEqual(['text', 'rate_limited']);
  });

  it('makes a 401 retry loop fatal, and notes 429 retries', () => {
    const retry401 =
      '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":500,"error_status":401,"error":"authentication_failed","session_id":"s"}';
    const { events, parser } = parse([retry401]);
    expect(events).toEqual([{ type: 'error', message: 'the model API rejected the credentials (401)', fatal: true }]);
    expect(parser.end()).toMatchObject({ ok: false, reason: 'auth_failed' });
    const retry429 =
      '{"type":"system","subtype":"api_retry","attempt":2,"retry_delay_ms":800,"error_status":429,"error":"rate_limit"}';
    expect(parse([retry429]).events).toEqual([
      { type: 'rate_limited', message: 'rate limited by the model API; retry 2 in 800 ms' },
    ]);
  });

  it('reports connection retries without an HTTP status as unreachable until the model answers', () => {
    const parser = new ClaudeStreamParser();
    // As Claude Code 2.1.330 prints them against a closed port.
    const retry =
      '{"type":"system","subtype":"api_retry","attempt":3,"max_retries":10,"retry_delay_ms":2039,"error_status":null,"error":"unknown","session_id":"s","uuid":"u"}';
    expect(parser.push(retry)).toEqual([
      {
        type: 'error',
        message: 'Unable to connect to API (attempt 3 of 10 failed without a response; retrying in 2.0 s)',
        fatal: false,
      },
    ]);
    expect(parser.connectionFailure()).toBe(
      'Unable to connect to API (attempt 3 of 10 failed without a response; retrying in 2.0 s)',
    );
    parser.push(CAPTURE[1] ?? '');
    expect(parser.connectionFailure()).toBeUndefined();
    // An HTTP error is an answer: the API was reached.
    parser.push(retry);
    parser.push(
      '{"type":"system","subtype":"api_retry","attempt":4,"max_retries":10,"retry_delay_ms":4000,"error_status":529,"error":"overloaded","session_id":"s"}',
    );
    expect(parser.connectionFailure()).toBeUndefined();
  });

  it('says nothing about the outcome when the result line never came', () => {
    const outcome = parse(CAPTURE.slice(0, 3)).parser.end();
    expect(outcome.ok).toBeUndefined();
    expect(outcome.sessionId).toBe('e00140e8-aaaa');
    expect(outcome.usage.inputTokens).toBe(12331);
  });

  it('marks failed tool results and flattens block content', () => {
    const line =
      '{"type":"user","session_id":"s","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"is_error":true}]}}';
    expect(parse([line]).events).toEqual([{ type: 'tool_result', id: 't1', ok: false, output: 'a\nb' }]);
  });
});
