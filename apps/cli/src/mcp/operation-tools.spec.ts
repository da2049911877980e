import { inputFields, OPERATIONS, parseInput } from '@agent-harness/app';
import { describe, expect, it } from 'vitest';
import { OPERATION_TOOLS } from './tool-inputs.js';

/** Values worth trying in any field: each side must take or refuse them alike. */
const PROBES: readonly unknown[] = [
  null,
  '',
  'ok',
  'a\0b',
  'x'.repeat(101),
  'x'.repeat(5000),
  '2026-01-02',
  'today',
  'queued',
  0,
  1,
  -1,
  1.5,
  2_147_483_648,
  true,
  [],
  {},
];

/** A smallest valid argument object of each tool (what the probes are added to). */
const BASE: Record<keyof typeof OPERATION_TOOLS, Record<string, unknown>> = {
  submit_task: { prompt: 'x' },
  task_status: { task_id: 'abcdefgh' },
  list_tasks: {},
  cancel_task: { task_id: 'abcdefgh' },
  follow_up_task: { task_id: 'abcdefgh', prompt: 'x' },
  approve_task: { task_id: 'abcdefgh' },
  reject_task: { task_id: 'abcdefgh' },
  usage_report: {},
};

describe('the MCP tools that are operations', () => {
  for (const [tool, { operation, input }] of Object.entries(OPERATION_TOOLS)) {
    const operationInput: new () => object = OPERATIONS[operation].input;

    it(`${tool}: its arguments are fields of ${operation}'s input, refused and taken alike`, () => {
      const fields = inputFields(operationInput);
      for (const key of Object.keys(input.shape)) expect(fields, `${tool}.${key}`).toContain(key);

      const base = BASE[tool as keyof typeof OPERATION_TOOLS];
      const disagreements: string[] = [];
      for (const key of Object.keys(input.shape))
        for (const value of PROBES) {
          const args = { ...base, [key]: value };
          const byTool = input.safeParse(args).success;
          let byOperation = true;
          try {
            parseInput(operationInput, args);
          } catch {
            byOperation = false;
          }
          if (byTool !== byOperation)
            disagreements.push(
              `${key}=${JSON.stringify(value)}: tool ${String(byTool)}, ${operation} ${String(byOperation)}`,
            );
        }
      expect(disagreements).toEqual([]);
      // An unknown field is refused by both.
      expect(input.safeParse({ ...base, sneaky: 1 }).success).toBe(false);
      expect(() => parseInput(operationInput, { ...base, sneaky: 1 })).toThrow('sneaky');
    });
  }
});
