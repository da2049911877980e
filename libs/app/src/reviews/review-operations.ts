import type { FleetResponse, ReviewListResponse } from '@agent-harness/core';
import { reviewRunJson, type ReviewListFilter, type ReviewRun } from '@agent-harness/review';
import type { FleetService } from '../fleet/fleet-service.js';
import { NoInput } from '../input/no-input.js';
import { defineOperation } from '../operation.js';
import { ReviewListInput } from './review-inputs.js';

/** The ports of the periodic-review and fleet operations. */
export interface ReviewPorts {
  readonly reviews: { list(filter: ReviewListFilter): Promise<readonly ReviewRun[]> };
  readonly fleet: Pick<FleetService, 'status'>;
}

export const reviewList = defineOperation({
  name: 'review_list',
  summary: 'The periodic whole-repo reviews, newest first, each with its findings',
  input: ReviewListInput,
  async execute(ports: ReviewPorts, input): Promise<ReviewListResponse> {
    const runs = await ports.reviews.list({ project: input.project, limit: input.limit });
    return { reviews: runs.map(reviewRunJson) };
  },
});

export const fleetStatus = defineOperation({
  name: 'fleet_status',
  summary: 'The servers sharing this database, their heartbeats and the tasks each runs',
  input: NoInput,
  async execute(ports: ReviewPorts): Promise<FleetResponse> {
    const status = await ports.fleet.status();
    return {
      self: status.self,
      database: status.database,
      servers: status.servers.map((s) => ({
        id: s.id,
        host: s.host,
        pid: s.pid,
        started_at: s.startedAt,
        heartbeat_at: s.heartbeatAt,
        state: s.state,
        slots: s.slots,
        alive: s.alive,
        running: s.running,
      })),
    };
  },
});
