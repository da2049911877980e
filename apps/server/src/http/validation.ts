import { ValidationPipe } from '@nestjs/common';
import { fieldProblems } from '@agent-harness/app';
import { AppError } from '@agent-harness/core';

/**
 * The pipe every body and query goes through: unknown fields are refused, and a failure is an
 * `INVALID_ARGUMENT` listing every problem in `details.problems`.
 */
export function createValidationPipe(options: { forCustomDecorator?: boolean } = {}): ValidationPipe {
  return new ValidationPipe({
    // The global pipe leaves custom parameter decorators alone; one given to such a decorator checks it.
    validateCustomDecorators: options.forCustomDecorator ?? false,
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
