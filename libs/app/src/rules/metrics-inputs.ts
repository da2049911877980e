import { plainToInstance, Transform } from 'class-transformer';
import { IsISO8601, IsObject, ValidateNested } from 'class-validator';
import { Given } from '../input/input-rules.js';
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
  @IsObject({ message: 'filters must be an object' })
  @ValidateNested()
  // The filters become an instance, so their own rules run (`@Type` would need reflect-metadata loaded).
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? plainToInstance(MetricsFilters, value)
      : value,
  )
  filters?: MetricsFilters | undefined;
}
