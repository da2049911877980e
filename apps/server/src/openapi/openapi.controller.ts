import { Controller, Get } from '@nestjs/common';
import { buildOpenApiDocument } from './openapi-document.js';

/**
 * `GET /openapi.json`: the REST API's OpenAPI 3.1 description. Behind the bearer token like every
 * API route (the guard's rule: a caller without the token learns nothing about the routes); a
 * server without a token, on loopback, serves it to anyone there.
 */
@Controller('openapi.json')
export class OpenApiController {
  /** Built once: it depends only on the code's tables. */
  private readonly document = buildOpenApiDocument();

  @Get()
  describe(): Record<string, unknown> {
    return this.document;
  }
}
