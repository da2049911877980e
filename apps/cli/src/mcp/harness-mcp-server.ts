import {
  AppError,
  HARNESS_VERSION,
  TASK_STATUSES,
  toAppError,
  type AgentEvent,
  type HarnessConfig,
  type SecretRedactor,
} from '@agent-harness/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CliContext } from '../cli-context.js';
import { endedMessage } from '../exec/one-shot-run.js';
import { describeEvent } from '../exec/progress-view.js';
import { runAgent } from './run-agent.js';
import type { TaskBackend } from './task-backend.js';
import { usageLines } from '../commands/usage.command.js';
import { DEFAULT_LIST_LIMIT, OPERATION_TOOLS, runAgentInput } from './tool-inputs.js';
import {
  taskListSchema,
  taskListText,
  taskStatusOfDetail,
  taskStatusSchema,
  taskStatusText,
  taskViewOfSummary,
} from './task-views.js';

/** What the MCP server works with. */
export interface HarnessMcpServerDeps {
  readonly backend: TaskBackend;
  /** The configuration `run_agent` picks its agent and directory from. */
  readonly config: HarnessConfig;
  readonly ctx: CliContext;
  /** Every secret value this process knows: none reaches a tool result. */
  readonly redactor: SecretRedactor;
  /** A diagnostic line for stderr. */
  readonly log: (line: string) => void;
  /** Aborted when the server stops: `run_agent` runs end with it. */
  readonly stopping: AbortSignal;
}

const INSTRUCTIONS = [
  'Harness runs coding agents (Claude Code, Codex) on tasks, each in its own git worktree and branch of a',
  'configured project: the agent works, the project checks run, the change is committed and pushed, and with',
  'GitHub configured a pull request is opened and independently reviewed.',
  'submit_task queues a task and answers at once with its id; tasks take minutes, so poll task_status until',
  '`finished` is true. list_tasks and cancel_task manage the queue; follow_up_task, approve_task and reject_task act on a task and its PR; usage_report tells spend against the limits.',
  'run_agent runs one agent directly on a',
  'prompt in a project directory (no worktree, no commit) and waits for its final answer.',
].join(' ');

const runAgentOutput = z.object({
  agent: z.string(),
  directory: z.string(),
  ok: z.boolean(),
  reason: z.string().describe('completed, failed, timeout, rate_limited, cancelled, ...'),
  output: z.string().describe("The agent's final answer"),
  session_id: z.string().nullable(),
  tokens: z.object({ input: z.number().int(), output: z.number().int() }),
  cost_usd: z.number().nullable(),
  duration_ms: z.number(),
});

const tokens = z.object({
  input: z.number(),
  cached_input: z.number(),
  cache_write: z.number(),
  output: z.number(),
});

/** `usage_report`'s result: `GET /api/usage` (UsageResponse of @agent-harness/core). */
const usageReportOutput = z.object({
  since: z.string(),
  until: z.string(),
  project: z.string().nullable(),
  totals: z.object({
    runs: z.number(),
    turns: z.number(),
    tokens,
    cost_usd: z.number(),
    fallback_priced_runs: z.number(),
  }),
  groups: z.array(
    z.object({
      day: z.string(),
      project: z.string(),
      agent: z.string(),
      model: z.string().nullable(),
      runs: z.number(),
      turns: z.number(),
      tokens,
      cost_usd: z.number(),
      fallback_priced_runs: z.number(),
    }),
  ),
  today: z
    .looseObject({ day: z.string(), spent_usd: z.number(), daily_usd: z.number().nullable(), held: z.boolean() })
    .describe('Today against [limits]: spent, the limits, when they reset, and whether queued tasks are held'),
});

/**
 * The Harness MCP server: six tools over a TaskBackend (a server's REST API, or a Harness in this
 * process) and one-shot agent runs. Every failure becomes a tool error (`isError`) with a message
 * that names the problem; nothing a tool does ends the server.
 */
export function createHarnessMcpServer(deps: HarnessMcpServerDeps): McpServer {
  const { backend, config, ctx, redactor, log } = deps;
  const server = new McpServer({ name: 'harness', version: HARNESS_VERSION }, { instructions: INSTRUCTIONS });
  // A line the client sent that is not a message, say: worth a line on stderr, not the end.
  server.server.onerror = (error) => {
    log(`protocol error: ${error.message}`);
  };

  /** A result with its text and data, both redacted. */
  const result = (text: string, data: Record<string, unknown>, isError = false): CallToolResult => ({
    content: [{ type: 'text', text: redactor.text(text) }],
    structuredContent: redactor.value(data),
    ...(isError ? { isError: true } : {}),
  });
  /** Runs a tool body; an error is the tool's answer, not the server's end. */
  const guarded =
    <A, X>(name: string, body: (args: A, extra: X) => Promise<CallToolResult>) =>
    async (args: A, extra: X): Promise<CallToolResult> => {
      try {
        return await body(args, extra);
      } catch (error) {
        const appError = toAppError(error);
        if (!(error instanceof AppError)) log(`${name}: ${error instanceof Error ? (error.stack ?? '') : ''}`);
        return { content: [{ type: 'text', text: redactor.text(appError.message) }], isError: true };
      }
    };

  server.registerTool(
    'submit_task',
    {
      title: 'Submit a task',
      description:
        'Queue a task for a coding agent: exactly one of prompt, issue or pr. Answers at once with the task id; follow it with task_status. An issue or pull request that already has an unfinished task answers with that task (existing: true) and queues nothing.',
      inputSchema: OPERATION_TOOLS.submit_task.input,
      outputSchema: z.object({ task_id: z.string(), status: z.enum(TASK_STATUSES), existing: z.boolean() }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    guarded('submit_task', async (args) => {
      const created = await backend.call(OPERATION_TOOLS.submit_task.operation, args);
      // The same issue or pull request already has an unfinished task: that task is the answer.
      if (created.existing === true)
        return result(
          `task ${created.task_id} already works on this (status ${created.status}); nothing new was queued; follow it with task_status`,
          { task_id: created.task_id, status: created.status, existing: true },
        );
      return result(`queued task ${created.task_id} (status ${created.status}); follow it with task_status`, {
        task_id: created.task_id,
        status: created.status,
        existing: false,
      });
    }),
  );

  server.registerTool(
    'task_status',
    {
      title: 'Task status',
      description:
        "A task's status, branch, commit, pull request, grade, failure class and message, and status history.",
      inputSchema: OPERATION_TOOLS.task_status.input,
      outputSchema: taskStatusSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded('task_status', async (args) => {
      const task = taskStatusOfDetail(await backend.call(OPERATION_TOOLS.task_status.operation, args));
      return result(taskStatusText(task), task);
    }),
  );

  server.registerTool(
    'list_tasks',
    {
      title: 'List tasks',
      description: 'Tasks, newest first, optionally only those of one status or project.',
      inputSchema: OPERATION_TOOLS.list_tasks.input,
      outputSchema: taskListSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded('list_tasks', async (args) => {
      const { tasks, total } = await backend.call(OPERATION_TOOLS.list_tasks.operation, {
        ...args,
        limit: args.limit ?? DEFAULT_LIST_LIMIT,
      });
      const page = { tasks: tasks.map(taskViewOfSummary), total };
      return result(taskListText(page), page);
    }),
  );

  server.registerTool(
    'cancel_task',
    {
      title: 'Cancel a task',
      description: "Cancel a queued or running task: its agent's processes end and its worktree is removed.",
      inputSchema: OPERATION_TOOLS.cancel_task.input,
      outputSchema: taskStatusSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('cancel_task', async (args) => {
      const task = taskStatusOfDetail(await backend.call(OPERATION_TOOLS.cancel_task.operation, args));
      return result(taskStatusText(task), task);
    }),
  );

  const taskTool = (
    name: 'follow_up_task' | 'approve_task' | 'reject_task',
    title: string,
    description: string,
  ): void => {
    const tool = OPERATION_TOOLS[name];
    server.registerTool(
      name,
      {
        title,
        description,
        inputSchema: tool.input,
        outputSchema: taskStatusSchema,
        annotations: { readOnlyHint: false, destructiveHint: name === 'reject_task', openWorldHint: true },
      },
      guarded(name, async (args) => {
        const task = taskStatusOfDetail(await backend.call(tool.operation, args));
        return result(taskStatusText(task), task);
      }),
    );
  };
  taskTool(
    'follow_up_task',
    'Send a task a follow-up',
    'More work on a task whose change is published: its agent goes on in the same session, on the same branch, and pushes to the same pull request (an ended task is reopened).',
  );
  taskTool(
    'approve_task',
    'Approve a held task',
    'Approve the step a task awaiting approval is held at ([approvals] before): its push, its pull request, or its merge.',
  );
  taskTool(
    'reject_task',
    'Reject a held task',
    'Reject the step a task awaiting approval is held at: a push or pull request rejected cancels the task; a merge rejected leaves the pull request open.',
  );

  server.registerTool(
    'usage_report',
    {
      title: 'Usage and spend',
      description:
        'Tokens and dollars by day, project, agent and model (default: the last 7 days), and today against the spend limits: what is spent, the limits, and whether queued tasks are held until the day turns.',
      inputSchema: OPERATION_TOOLS.usage_report.input,
      outputSchema: usageReportOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded('usage_report', async (args) => {
      const usage = await backend.call(OPERATION_TOOLS.usage_report.operation, args);
      return result(usageLines(usage).join('\n'), { ...usage });
    }),
  );

  server.registerTool(
    'run_agent',
    {
      title: 'Run an agent once',
      description:
        'Run one coding agent on a prompt in a project directory, like `harness exec`, and wait for its final answer. No worktree, branch or commit: the agent works in the directory itself.',
      inputSchema: runAgentInput,
      outputSchema: runAgentOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    guarded('run_agent', async (args, extra) => {
      const progressToken = extra._meta?.progressToken;
      let progress = 0;
      // Progress notifications show the run live and keep clients that allow them from timing out.
      const onEvent = (event: AgentEvent, directory: string): void => {
        const line = progressToken === undefined ? undefined : describeEvent(event, directory);
        if (progressToken === undefined || line === undefined) return;
        progress += 1;
        extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, message: redactor.text(line) },
          })
          .catch(() => undefined);
      };
      // Ends when the client cancels the call, or when the server stops.
      const signal = AbortSignal.any([extra.signal, deps.stopping]);
      const { agent, directory, result: run } = await runAgent(config, ctx, args, signal, onEvent);
      log(`run_agent: ${agent} in ${directory}: ${run.reason}`);
      const data = {
        agent,
        directory,
        ok: run.ok,
        reason: run.reason,
        output: run.finalText,
        session_id: run.sessionId ?? null,
        tokens: { input: run.usage.inputTokens, output: run.usage.outputTokens },
        cost_usd: run.costUsd ?? null,
        duration_ms: run.durationMs,
      };
      if (!run.ok)
        return result(`${endedMessage(agent, run)}${run.finalText === '' ? '' : `\n\n${run.finalText}`}`, data, true);
      return result(run.finalText === '' ? `${agent} gave no final answer` : run.finalText, data);
    }),
  );

  return server;
}
