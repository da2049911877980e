// The rules operation inputs are checked with (class-validator): one set for REST bodies and
// queries, JSON-RPC params and the CLI, so each refuses the same input with the same words.
import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, IsObject, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';

/** The largest number a task field may hold (SQLite and GitHub both use 32-bit signed ids). */
export const MAX_INT32 = 2_147_483_647;

/**
 * An optional field: absent is fine, but a given value is validated, so `null` is refused
 * (class-validator's `@IsOptional` would let `null` through as if the field were absent).
 */
export function Given(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** Refuses strings holding NUL characters: they cut strings short in C code, git and SQLite's text functions. */
export function NoNulBytes(): PropertyDecorator {
  // eslint-disable-next-line no-control-regex
  return Matches(/^[^\u0000]*$/, { message: ({ property }) => `${property} must not contain NUL characters` });
}

/** An integer from `min` to `max` inclusive (each element's, with `each`), with one message for every way to miss. */
export function IntInRange(
  min: number,
  max: number,
  message: string,
  options: { each?: boolean } = {},
): PropertyDecorator {
  const each = options.each ?? false;
  const rules = [IsInt({ message, each }), Min(min, { message, each }), Max(max, { message, each })];
  return (target, property) => {
    for (const rule of rules) rule(target, property);
  };
}

/** A query-string integer: only plain decimal digits become a number ("1e3", "0x10", "" stay strings and fail). */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value,
  );
}

/**
 * A field holding one object checked by another input class: the object becomes an instance of it,
 * so that class's own rules run (`@Type` would need reflect-metadata loaded).
 */
export function NestedInput(type: new () => object, message: string): PropertyDecorator {
  return (target, key) => {
    IsObject({ message })(target, key);
    ValidateNested()(target, key);
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? plainToInstance(type, value) : value,
    )(target, key);
  };
}
