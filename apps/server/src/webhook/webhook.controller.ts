import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { WebhookResponse } from '@agent-harness/core';
import type { Harness } from '@agent-harness/runtime';
import type { Response } from 'express';
import { HARNESS } from '../core/tokens.js';
import type { RawJsonRequest } from '../http/json-body.js';

/**
 * GitHub's `POST /webhook`: no bearer token (the HMAC signature over the raw body authenticates
 * it). 202 with the task queued, 200 with the unfinished task already doing that work, 200 when
 * the delivery asks for nothing (and why), 401 for a bad
 * signature, 404 when no secret is configured.
 */
@Controller('webhook')
export class WebhookController {
  constructor(@Inject(HARNESS) private readonly harness: Harness) {}

  @Post()
  async receive(@Req() req: RawJsonRequest, @Res({ passthrough: true }) res: Response): Promise<WebhookResponse> {
    const result = await this.harness.github.webhooks.receive({
      event: req.headers['x-github-event'],
      deliveryId: req.headers['x-github-delivery'],
      signature: req.headers['x-hub-signature-256'],
      body: req.rawJson ?? '',
    });
    if (result.status === 'accepted') {
      res.status(202);
      return { status: 'accepted', task_id: result.taskId, reason: result.reason };
    }
    if (result.status === 'existing') {
      res.status(200);
      return { status: 'existing', task_id: result.taskId, reason: result.reason };
    }
    res.status(200);
    if (result.status === 'handled') return { status: 'handled', reason: result.reason };
    return result.taskId === undefined
      ? { status: 'ignored', reason: result.reason }
      : { status: 'ignored', reason: result.reason, task_id: result.taskId };
  }
}
