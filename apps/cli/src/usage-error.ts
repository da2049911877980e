/** A mistake in what was typed (unknown flag, bad value, missing argument): nothing runs, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The command the mistake was made in, e.g. "tasks submit"; empty at the top level. */
    readonly commandPath: string,
  ) {
    super(message);
  }
}

/** yargs 18 passes its usage object to `fail`, although its typings say the yargs instance. */
interface UsageLines {
  getUsage(): unknown;
}

function hasUsageLines(value: unknown): value is UsageLines {
  return typeof value === 'object' && value !== null && 'getUsage' in value && typeof value.getUsage === 'function';
}

/**
 * The usage line of the command yargs was parsing when it failed ("tasks show <id>"), read from the
 * usage object it hands to `fail` (whose first usage line is "$0 tasks show <id>"). Empty when unknown.
 */
function usageLineOf(usage: unknown): string {
  if (!hasUsageLines(usage)) return '';
  const lines = usage.getUsage();
  const first: unknown = Array.isArray(lines) && Array.isArray(lines[0]) ? lines[0][0] : undefined;
  return typeof first === 'string' ? first.replace(/^\$0\s*/, '') : '';
}

/** The error for a yargs validation message, in words a user can act on. */
export function usageError(message: string, usage: unknown): UsageError {
  const line = usageLineOf(usage);
  const commandPath = line
    .split(/\s+/)
    .filter((word) => word !== '' && !/^[<[]/.test(word))
    .join(' ');
  // yargs says "Not enough non-option arguments: got 0, need at least 1" for a missing <positional>.
  const text =
    message.startsWith('Not enough non-option arguments') && /<\w+>/.test(line)
      ? `missing an argument: harness ${line}`
      : message;
  return new UsageError(text, commandPath);
}
