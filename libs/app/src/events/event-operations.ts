import type { AgentListResponse } from '@agent-harness/core';
import type { EventStore } from '@agent-harness/observe';
import type { AgentRegistry } from '@agent-harness/agents';
import { defineOperation } from '../operation.js';
import { NoInput } from '../input/no-input.js';
import { EventQueryInput } from './event-inputs.js';

/** The ports of the telemetry and agent operations. */
export interface EventPorts {
  readonly events: Pick<EventStore, 'query'>;
  readonly agents: Pick<AgentRegistry, 'defaultAgent' | 'availability'>;
}

export const eventQuery = defineOperation({
  name: 'event_query',
  summary: 'Telemetry events, newest first; the smallest id of a page as before_id gives the next',
  input: EventQueryInput,
  async execute(ports: EventPorts, p) {
    const events = await ports.events.query({
      project: p.project,
      taskId: p.task_id,
      sessionId: p.session_id,
      hook: p.hook,
      tool: p.tool,
      decision: p.decision,
      severity: p.severity,
      since: p.since,
      until: p.until,
      beforeId: p.before_id,
      limit: p.limit ?? 100,
      includeContent: p.include_content ?? false,
    });
    return { events };
  },
});

export const agentList = defineOperation({
  name: 'agent_list',
  summary: 'The agents Harness knows, whether each can run here, and the default one',
  input: NoInput,
  execute(ports: EventPorts): Promise<AgentListResponse> {
    return Promise.resolve({ default_agent: ports.agents.defaultAgent, agents: ports.agents.availability() });
  },
});
