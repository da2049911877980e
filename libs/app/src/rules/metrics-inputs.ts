import { IsISO8601 } from 'class-validator';
import { Given, NestedInput } from '../input/input-rules.js';
import { ProjectInput } from '../input/project-input.js';

/** `metrics_query`'s filters: the project (`project_id`, `null` for every project) and the start of the window. */
export class MetricsFilters extends ProjectInput {
  @Given()
  @IsISO8601({ strict: true }, { message: 'filters.since must be an ISO-8601 time' })
  since?: string | undefined;

  @Given()
  @IsISO8601({ strict: true }, { message: 'filters.until must be an ISO-8601 time' })
  until?: string | undefined;
}

/** `metrics_query`: `{filters?}`, as the original took it. */
export class MetricsQueryInput {
  @Given()
  @NestedInput(MetricsFilters, 'filters must be an object')
  filters?: MetricsFilters | undefined;
}
