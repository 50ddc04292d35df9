import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import express from 'express';
import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from './app-dependencies.js';
import { NotFoundError } from '../shared/errors.js';
import { projectRoot } from '../shared/project-root.js';
import { buildOpenApiDocument } from './openapi.js';
import type { RouteDefinition, RouteRegistry } from './route-registry.js';

const require = createRequire(import.meta.url);
const nhsukDist = path.join(path.dirname(require.resolve('nhsuk-frontend/package.json')), 'dist', 'nhsuk');

/** Static files the pages need: the NHS.UK frontend (from the installed package, no CDN) and our own CSS and JS. */
const assetFiles: Record<string, string> = {
  'nhsuk-frontend.min.css': path.join(nhsukDist, 'nhsuk-frontend.min.css'),
  'nhsuk-frontend.min.js': path.join(nhsukDist, 'nhsuk-frontend.min.js'),
  'app.css': path.join(projectRoot, 'public', 'app.css'),
  'app.js': path.join(projectRoot, 'public', 'app.js'),
};
const imagesDir = path.join(nhsukDist, 'assets', 'images');
const serveImages = express.static(imagesDir, { fallthrough: false, index: false, maxAge: '1d' });

/** Health checks, the OpenAPI document and static assets. */
export function systemRoutes(deps: AppDependencies, registry: () => RouteRegistry): RouteDefinition[] {
  let openApi: unknown;
  return [
    {
      method: 'get',
      path: '/healthz',
      kind: 'system',
      policy: policies.public,
      summary: 'Liveness: the process is up.',
      handler: (_req, res) => {
        res.json({ status: 'ok' });
      },
    },
    {
      method: 'get',
      path: '/readyz',
      kind: 'system',
      policy: policies.public,
      summary: 'Readiness: the database answers and background work is running.',
      handler: async (_req, res) => {
        let database: boolean;
        try {
          await deps.db.raw('select 1');
          database = true;
        } catch {
          database = false;
        }
        const ready = database && (deps.isReady?.() ?? true);
        res
          .status(ready ? 200 : 503)
          .json({ status: ready ? 'ready' : 'not-ready', checks: { database: database ? 'ok' : 'failing' } });
      },
    },
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      kind: 'api',
      policy: policies.public,
      summary: 'This OpenAPI 3.1 document.',
      api: {
        tags: ['meta'],
        responses: { 200: { description: 'The OpenAPI document', schema: z.object({ openapi: z.string() }).loose() } },
      },
      handler: (_req, res) => {
        openApi ??= buildOpenApiDocument(registry().list(), `${deps.config.publicUrl}`);
        res.json(openApi);
      },
    },
    {
      method: 'get',
      path: '/assets/images/*file',
      kind: 'system',
      policy: policies.public,
      summary: 'NHS.UK frontend images.',
      handler: (req, res) =>
        new Promise<void>((resolve, reject) => {
          req.url = req.url.replace(/^\/assets\/images/, '');
          serveImages(req, res, (error?: unknown) => (error ? reject(new NotFoundError('file')) : resolve()));
        }),
    },
    {
      method: 'get',
      path: '/assets/:file',
      kind: 'system',
      policy: policies.public,
      summary: 'Stylesheets and scripts.',
      handler: (req, res) => {
        const file = assetFiles[String(req.params.file)];
        if (!file || !fs.existsSync(file)) throw new NotFoundError('file');
        res.setHeader('Cache-Control', 'public, max-age=3600');
        res.sendFile(file);
      },
    },
  ];
}
