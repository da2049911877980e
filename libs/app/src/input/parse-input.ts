import { AppError } from '@agent-harness/core';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

/** One problem of an input: the dotted path of the field (e.g. `tasks.0.prompt`) and what is wrong. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * One problem per field of a class-validator result tree, with the field's dotted path. Of the
 * rules a field breaks, the one written first in the input class is named (class-validator checks
 * the decorators bottom-up, so that is the last one it lists): `null` is "must be a string", not
 * also "must be 1 to 100000 characters".
 */
export function fieldProblems(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const message = Object.values(error.constraints ?? {}).at(-1);
    return [...(message === undefined ? [] : [{ path, message }]), ...fieldProblems(error.children ?? [], path)];
  });
}

/**
 * An operation's input checked from untyped JSON (JSON-RPC params, a CLI's flags): unknown fields
 * refused, an `INVALID_ARGUMENT` naming each field's problem in its message and `details.problems`.
 * REST checks the same classes through Nest's validation pipe.
 */
export function parseInput<T extends object>(input: new () => T, raw: unknown): T {
  if (Array.isArray(raw) || (raw !== undefined && raw !== null && typeof raw !== 'object'))
    throw new AppError('INVALID_ARGUMENT', 'params must be an object of named parameters');
  const instance = plainToInstance(input, raw ?? {});
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  if (errors.length > 0) {
    const problems = fieldProblems(errors);
    const message = problems.map((p) => (p.message.startsWith(p.path) ? p.message : `${p.path}: ${p.message}`));
    throw new AppError('INVALID_ARGUMENT', `invalid params: ${message.join('; ')}`, { details: { problems } });
  }
  return instance;
}

/** The fields an input class checks (what a surface's own schema must stay within). */
export function inputFields(input: new () => object): string[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(input, '', true, false);
  return [...new Set(rules.map((rule) => rule.propertyName))];
}
