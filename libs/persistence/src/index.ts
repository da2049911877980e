// Public API of @agent-harness/persistence.
export { openDatabase, DATABASE_FILE_NAME, isPostgresUrl, redactDatabaseUrl } from './database.js';
export type { Database, OpenDatabaseOptions } from './database.js';
export { databaseKind, sqlRows } from './sql.js';
export { probeDatabaseWrite } from './write-probe.js';
export { freeSpace, largestEntries } from './storage-space.js';
export type { DatabaseKind } from './sql.js';
export { TypeOrmTaskRepository } from './tasks/typeorm-task.repository.js';
export { TypeOrmProjectCatalog } from './projects/typeorm-project-catalog.js';
export { TypeOrmEventStore } from './events/typeorm-event-store.js';
export { TypeOrmDraftIndex } from './gc/typeorm-draft-index.js';
export { TypeOrmReviewStore } from './reviews/typeorm-review-store.js';
export { TypeOrmPlanStore } from './plans/typeorm-plan-store.js';
export { TypeOrmGitHubIntakeStore } from './github/typeorm-github-intake-store.js';
export { TypeOrmFleetRegistry } from './fleet/typeorm-fleet-registry.js';
export { TypeOrmUsageLedger } from './usage/typeorm-usage-ledger.js';
export type { FleetServer, LeasedTask } from './fleet/typeorm-fleet-registry.js';
export { listenPostgres, notifyPostgres } from './fleet/pg-notify.js';
export type { PgListener } from './fleet/pg-notify.js';
