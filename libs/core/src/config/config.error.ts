import { AppError } from '../errors/app-error.js';
import type { ConfigProblem } from './schema.js';

/**
 * The configuration is unusable. Lists every problem, each with its TOML path or the flag it came
 * from, so one run shows everything to fix.
 * @public
 */
export class ConfigError extends AppError<'CONFIG_INVALID'> {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
  ) {
    const where = source ?? 'configuration';
    const count = problems.length === 1 ? '1 problem' : `${String(problems.length)} problems`;
    super(
      'CONFIG_INVALID',
      `invalid ${where} (${count}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      {
        details: { problems },
      },
    );
  }
}
