import { createHash } from 'node:crypto';
import { type GraphQLSchema, introspectionFromSchema } from 'graphql';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { route } from '../route.js';
import { exampleTabs } from './examples.js';

/**
 * GraphiQL served from this package's own dependencies (`@graphql-yoga/render-graphiql`): no CDN,
 * and no inline script, under a Content-Security-Policy that allows only this origin
 * (docs/decisions/0030-graphiql-and-frontend-keys.md).
 */
export const graphiqlAssetPath = '/graphiql/';

export const graphiqlContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets up Monaco's workers from this origin, then renders GraphiQL with the page's options. */
const startScript = `'use strict';
self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: function (_moduleId, label) {
    return '${graphiqlAssetPath}' + label + '.worker.js';
  },
};
document.addEventListener('DOMContentLoaded', function () {
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
});
`;

interface Asset {
  readonly type: string;
  readonly body: string | Uint8Array<ArrayBuffer>;
  readonly etag: string;
}

function asset(type: string, body: string | Uint8Array<ArrayBuffer>): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
}

/** The bundle is 9 MB of JavaScript: loaded on the first GraphiQL request, not at start-up. */
async function loadAssets(): Promise<ReadonlyMap<string, Asset>> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const favicon = Buffer.from(bundle.favicon.slice(bundle.favicon.indexOf(',') + 1), 'base64');
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['start.js', asset(js, startScript)],
    ['graphiql.js', asset(js, bundle.js)],
    ['graphiql.css', asset('text/css; charset=utf-8', bundle.css)],
    ['editorWorkerService.worker.js', asset(js, bundle.editorWorkerService)],
    ['json.worker.js', asset(js, bundle.jsonWorker)],
    ['graphql.worker.js', asset(js, bundle.graphqlWorker)],
    ['favicon.ico', asset('image/x-icon', new Uint8Array(favicon))],
  ]);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** JSON that cannot end its `<script type="application/json">` element early. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The page. GraphiQL gets the schema with the page, as the introspection result of the schema
 * served, so it sends no introspection request (which needs a key) when it opens: nothing is
 * sent until the user runs an operation.
 */
export function graphiqlRenderer(schema: GraphQLSchema): (options?: GraphiQLOptions) => string {
  let introspection: ReturnType<typeof introspectionFromSchema> | undefined;
  return (options = {}) => {
    introspection ??= introspectionFromSchema(schema, {
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const title = options.title ?? 'GraphiQL';
    const pageOptions = {
      ...options,
      defaultTabs: exampleTabs,
      // GraphiQL fills the first tab's editors from these, not from `defaultTabs`.
      headers: exampleTabs[0]?.headers,
      variables: exampleTabs[0]?.variables,
      defaultEditorToolsVisibility: 'headers',
      schema: introspection,
    };
    return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${graphiqlAssetPath}favicon.ico" />
    <link rel="stylesheet" href="${graphiqlAssetPath}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${scriptSafeJson(pageOptions)}</script>
    <script src="${graphiqlAssetPath}start.js"></script>
    <script src="${graphiqlAssetPath}graphiql.js"></script>
  </body>
</html>
`;
  };
}

/** An HTML page without a policy of its own (the public pages bring theirs) is GraphiQL's. */
function isGraphiqlPage(response: Response): boolean {
  return (
    (response.headers.get('content-type') ?? '').startsWith('text/html') &&
    !response.headers.has('content-security-policy')
  );
}

/**
 * Serves GraphiQL's scripts, styles and workers under `/graphiql/`, and puts the
 * Content-Security-Policy on them and on the page graphql-yoga renders. Outside production only.
 */
export function graphiqlAssets(): Plugin {
  let assets: Promise<ReadonlyMap<string, Asset>> | undefined;
  return {
    onRequest: route(
      ({ url }) => url.pathname.startsWith(graphiqlAssetPath),
      async ({ request, url, endResponse }) => {
        assets ??= loadAssets();
        const found = (await assets).get(url.pathname.slice(graphiqlAssetPath.length));
        if (found === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return;
        const headers = { 'content-type': found.type, etag: found.etag, 'cache-control': 'no-cache' };
        const unchanged = request.headers.get('if-none-match') === found.etag;
        endResponse(
          new Response(unchanged || request.method === 'HEAD' ? null : found.body, {
            status: unchanged ? 304 : 200,
            headers,
          }),
        );
      },
    ),
    onResponse({ request, response }) {
      if (isGraphiqlPage(response) || new URL(request.url).pathname.startsWith(graphiqlAssetPath)) {
        response.headers.set('content-security-policy', graphiqlContentSecurityPolicy);
      }
    },
  };
}
