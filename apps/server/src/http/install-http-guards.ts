import type { HarnessConfig } from '@agent-harness/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { bearerAuth } from '../auth/bearer-auth.js';
import { AppErrorFilter } from '../errors/app-error.filter.js';
import { jsonBody } from './json-body.js';
import { answerMalformedRequests } from './malformed-requests.js';
import { requestOriginGuard } from './request-origin.js';
import { createValidationPipe } from './validation.js';

/**
 * Everything a request passes before a controller sees it, in order: the Host/Origin guard, the
 * bearer token, the JSON body reader; then validation. Every refusal has the API's error shape,
 * even for requests Node cannot parse as HTTP.
 */
export function installHttpGuards(app: NestExpressApplication, config: HarnessConfig): void {
  app.disable('x-powered-by');
  answerMalformedRequests(app.getHttpServer());
  app.use(requestOriginGuard({ requireLoopbackHost: config.server.api_token === undefined }));
  if (config.server.api_token !== undefined) app.use(bearerAuth(config.server.api_token));
  app.use(jsonBody());
  app.useGlobalFilters(new AppErrorFilter());
  app.useGlobalPipes(createValidationPipe());
}
