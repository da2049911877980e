import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { Tasks1764100000000 } from './1764100000000-tasks.js';
import { ValidationRetries1764200000000 } from './1764200000000-validation-retries.js';
import { PullRequestsAndGrades1764300000000 } from './1764300000000-pull-requests-and-grades.js';
import { Checkpoints1764400000000 } from './1764400000000-checkpoints.js';
import { LeasesAndEventSeq1764500000000 } from './1764500000000-leases-and-event-seq.js';
import { FailureClasses1764600000000 } from './1764600000000-failure-classes.js';
import { TaskCountsAndListIndexes1764700000000 } from './1764700000000-task-counts-and-list-indexes.js';
import { TelemetryEvents1764800000000 } from './1764800000000-telemetry-events.js';
import { TaskSeeds1764900000000 } from './1764900000000-task-seeds.js';
import { GcDrafts1765000000000 } from './1765000000000-gc-drafts.js';
import { ExecPlans1765100000000 } from './1765100000000-exec-plans.js';
import { ReviewFindings1765200000000 } from './1765200000000-review-findings.js';
import { GitHubIntake1765300000000 } from './1765300000000-github-intake.js';
import { Fleet1765600000000 } from './1765600000000-fleet.js';
import { OneTaskPerWork1765700000000 } from './1765700000000-one-task-per-work.js';
import { Spend1766000000000 } from './1766000000000-spend.js';
import { PullRequestLoop1766100000000 } from './1766100000000-pull-request-loop.js';

/**
 * Every migration, oldest first. New ones are appended; committed ones are never edited (a branch
 * on the engine where PostgreSQL differs, see column-types.ts, changes nothing for SQLite).
 */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  Tasks1764100000000,
  ValidationRetries1764200000000,
  PullRequestsAndGrades1764300000000,
  Checkpoints1764400000000,
  LeasesAndEventSeq1764500000000,
  FailureClasses1764600000000,
  TaskCountsAndListIndexes1764700000000,
  TelemetryEvents1764800000000,
  TaskSeeds1764900000000,
  GcDrafts1765000000000,
  ExecPlans1765100000000,
  ReviewFindings1765200000000,
  GitHubIntake1765300000000,
  Fleet1765600000000,
  OneTaskPerWork1765700000000,
  Spend1766000000000,
  PullRequestLoop1766100000000,
];
