import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { AppError } from '@agent-harness/core';
import type { Response } from 'express';
import { WEB_ASSETS } from './web.tokens.js';
import { WEB_SECURITY_HEADERS, type WebAsset, type WebAssetName } from './web-assets.js';

/** The dashboard page at `/` and its static files at `/web/<name>`, served from memory. */
@Controller()
export class WebController {
  constructor(@Inject(WEB_ASSETS) private readonly assets: ReadonlyMap<WebAssetName, WebAsset>) {}

  @Get()
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('web/:name')
  file(@Param('name') name: string, @Res() res: Response): void {
    if (name === 'index.html' || !this.assets.has(name as WebAssetName))
      throw new AppError('NOT_FOUND', `no dashboard file ${JSON.stringify(name.slice(0, 100))}`);
    this.send(res, name as WebAssetName);
  }

  private send(res: Response, name: WebAssetName): void {
    const asset = this.assets.get(name);
    if (asset === undefined) throw new AppError('NOT_FOUND', `no dashboard file ${name}`);
    // Express adds an ETag and answers 304 to a matching If-None-Match.
    res.set(WEB_SECURITY_HEADERS).type(asset.contentType).send(asset.body);
  }
}
