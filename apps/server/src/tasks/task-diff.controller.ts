import { Controller, Get, Param, Res } from '@nestjs/common';
import { resolveTaskId, TaskRepository } from '@agent-harness/queue';
import type { Response } from 'express';
import { latestPatch } from './task-diff.js';

/**
 * `GET /tasks/:id/diff`: the task's latest stored change as plain text, for the dashboard's raw
 * diff download (the page cuts long diffs) and for `curl`. Not an operation: its answer is no JSON.
 */
@Controller('tasks')
export class TaskDiffController {
  constructor(private readonly tasks: TaskRepository) {}

  /** `id`: a whole task id or a unique prefix of at least 8 characters. */
  @Get(':id/diff')
  async diff(@Param('id') given: string, @Res() res: Response): Promise<void> {
    const id = await resolveTaskId(this.tasks, given);
    const patch = await latestPatch(this.tasks, id);
    // The agent's text: never sniffed as anything but text; saved under a name with the task's id.
    res
      .status(200)
      .set({
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="harness-${id.slice(0, 8)}.diff"`,
        'x-content-type-options': 'nosniff',
      })
      .send(patch);
  }
}
