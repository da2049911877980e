import {
  OPERATIONS,
  parseInput,
  ProjectInput,
  ProjectRegisterInput,
  TaskBatchInput,
  TaskListInput,
  TaskSubmitInput,
} from '@agent-harness/app';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, inputSchemas } from './openapi-document.js';

// The request schemas say what the input classes' class-validator rules check: the same samples
// are accepted or refused by both (custom rules such as the list cursor's are beyond a schema).

const document = buildOpenApiDocument() as { components: { schemas: Record<string, Record<string, unknown>> } };
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
ajv.addSchema({ $id: 'https://harness.invalid/schemas', $defs: document.components.schemas });
/** The document's refs point at components; here the schemas sit under `$defs`. */
const validator = (name: string) =>
  ajv.compile(
    JSON.parse(
      JSON.stringify(document.components.schemas[name]).replaceAll(
        '"#/components/schemas/',
        '"https://harness.invalid/schemas#/$defs/',
      ),
    ) as object,
  );

const samples: [input: new () => object, accepted: object[], refused: object[]][] = [
  [
    TaskSubmitInput,
    [{}, { prompt: 'x' }, { issue: 1, project: 'app' }, { pr: 2_147_483_647 }, { plan_id: 'abcd', milestone: 0 }],
    [
      { prompt: null },
      { prompt: '' },
      { prompt: 'a\u0000b' },
      { issue: 0 },
      { issue: 1.5 },
      { issue: 2_147_483_648 },
      { issue: '1' },
      { description: 'x'.repeat(501) },
      { plan_id: 'XYZ' },
      { unknown: 1 },
    ],
  ],
  [
    TaskBatchInput,
    [{ issues: [1, 2] }, { tasks: [{ prompt: 'x', project: 'app' }] }],
    [{ issues: [] }, { issues: [0] }, { tasks: [{ prompt: 5 }] }, { tasks: [{ unknown: 1 }] }, { tasks: [5] }],
  ],
  [
    TaskListInput,
    [{}, { limit: 1 }, { limit: 200, offset: 0, status: 'done', project: 'app' }],
    [{ limit: 0 }, { limit: 201 }, { offset: -1 }, { status: 'nope' }, { limit: null }],
  ],
  [
    ProjectRegisterInput,
    [{ root: '/r' }, { root: '/r', name: 'a.b-c_1', max_concurrent: 1, repo: 'o/n', active: false }],
    [
      {},
      { root: '/r', name: 'has space' },
      { root: '/r', max_concurrent: 0 },
      { root: '/r', repo: 'x' },
      { root: '/r', active: 'yes' },
    ],
  ],
];

describe('the request schemas of GET /openapi.json', () => {
  it.each(samples.map(([input, accepted, refused]) => [input.name, input, accepted, refused] as const))(
    '%s: the schema accepts what the class-validator rules accept, and refuses what they refuse',
    (name, input, accepted, refused) => {
      const validate = validator(name);
      const rulesAccept = (sample: object): boolean => {
        try {
          parseInput(input, sample);
          return true;
        } catch {
          return false;
        }
      };
      for (const sample of accepted) {
        expect(rulesAccept(sample), `rules: ${JSON.stringify(sample)}`).toBe(true);
        expect(validate(sample), `schema: ${JSON.stringify(sample)} ${JSON.stringify(validate.errors)}`).toBe(true);
      }
      for (const sample of refused) {
        expect(rulesAccept(sample), `rules: ${JSON.stringify(sample)}`).toBe(false);
        expect(validate(sample), `schema: ${JSON.stringify(sample)}`).toBe(false);
      }
    },
  );

  it('a field whose rules are skipped for null takes null; `Given()` fields are optional but refuse null', () => {
    const { ProjectInput: project } = inputSchemas([ProjectInput]) as Record<
      string,
      { properties: Record<string, unknown>; required?: string[] }
    >;
    expect(project?.required).toBeUndefined();
    expect(project?.properties['project_id']).toEqual({
      anyOf: [expect.objectContaining({ type: 'string' }), { type: 'null' }],
    });
    expect(project?.properties['project']).toMatchObject({ type: 'string', maxLength: 4096, minLength: 1 });
  });

  it('a nested input (`NestedInput`) is a reference to its own class, which is described too', () => {
    const schemas = inputSchemas([OPERATIONS.metrics_query.input]) as Record<
      string,
      { properties: Record<string, unknown> }
    >;
    expect(schemas['MetricsQueryInput']?.properties['filters']).toEqual({
      type: 'object',
      $ref: '#/components/schemas/MetricsFilters',
    });
    expect(Object.keys(schemas['MetricsFilters']?.properties ?? {})).toContain('since');
  });
});
