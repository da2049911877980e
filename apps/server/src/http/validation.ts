import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from '@agent-harness/core';

/** One problem of a request: the dotted path of the field (e.g. `tasks.0.prompt`) and what is wrong. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * One problem per field of a class-validator result tree, with the field's dotted path. Of the
 * rules a field breaks, the one written first in the DTO is named (class-validator checks the
 * decorators bottom-up, so that is the last one it lists): `null` is "must be a string", not also
 * "must be 1 to 100000 characters".
 */
export function fieldProblems(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const message = Object.values(error.constraints ?? {}).at(-1);
    return [...(message === undefined ? [] : [{ path, message }]), ...fieldProblems(error.children ?? [], path)];
  });
}

/**
 * The pipe every body and query goes through: unknown fields are refused, and a failure is an
 * `INVALID_ARGUMENT` listing every problem in `details.problems`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = fieldProblems(errors);
      const message = problems.length === 0 ? 'invalid request' : problems.map((p) => p.message).join('; ');
      return new AppError('INVALID_ARGUMENT', message, { details: { problems } });
    },
  });
}
