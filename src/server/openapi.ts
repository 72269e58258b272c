/**
 * The OpenAPI 3.1 description of the API, generated from the routes' zod schemas (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is). Named schemas become `components.schemas`.
 */
import { z } from 'zod';
import { VERSION } from '../version.ts';
import type { RouteDef } from './routing.ts';
import { registry } from './schemas.ts';

const REF = (id: string) => `#/components/schemas/${id}`;

type Json = Record<string, unknown>;

function clean(schema: Json): Json {
  const out = { ...schema };
  delete out['$schema'];
  delete out['$id'];
  return out;
}

/** A schema inline, or a reference when it is one of the named schemas. */
function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const meta = registry.get(s);
  if (meta) return { $ref: REF(meta.id) };
  const json = z.toJSONSchema(s, {
    io,
    unrepresentable: 'any',
    metadata: registry,
  }) as Json;
  // Named schemas nested in an inline one come out as local $defs: point them at the components.
  const out = clean(json);
  delete out['$defs'];
  return toComponents(out) as Json;
}

function toComponents(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toComponents);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/')
          ? REF(x.slice('#/$defs/'.length))
          : toComponents(x),
      ]),
    );
  return v;
}

function parametersOf(s: z.ZodType | undefined, where: 'query' | 'path'): Json[] {
  if (!s) return [];
  const json = schemaOf(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema,
  }));
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (the message names the field)',
  401: 'Not signed in, or wrong credentials',
  403: 'Not allowed for this account, or missing CSRF token',
  404: 'Not found',
  409: 'Conflict',
  413: 'Upload too large',
  429: 'Too many failed sign-ins',
};

export function openApiDocument(routes: readonly RouteDef[]): Json {
  const { schemas } = z.toJSONSchema(registry, { uri: REF, unrepresentable: 'any' }) as {
    schemas: Record<string, Json>;
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const errors: number[] = [400, 500];
    if (r.access !== 'public') errors.push(401);
    if (Array.isArray(r.access) || r.method !== 'GET') errors.push(403);
    if (r.params) errors.push(404);
    if (r.url === '/api/login') errors.push(401, 429);
    if (r.body === 'stream') errors.push(413);
    const responses: Record<string, Json> = {};
    if (r.redirect) responses['302'] = { description: 'Found: the browser is sent on (Location)' };
    else if (r.file)
      responses['200'] = {
        description: 'The file, as a download',
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    else
      responses[String(r.response ? (r.status ?? 200) : 204)] = r.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: schemaOf(r.response, 'output') } },
          }
        : { description: 'No content' };
    for (const code of [...new Set(errors)].sort())
      responses[String(code)] = {
        description: STATUS_TEXT[code] ?? 'Internal error',
        content: { 'application/json': { schema: { $ref: REF('Error') } } },
      };
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      'x-roles':
        r.access === 'public' ? ['anyone'] : r.access === 'session' ? ['signed in'] : r.access,
      parameters: [
        ...parametersOf(r.params, 'path'),
        ...parametersOf(r.query, 'query'),
        ...((r.csrf ?? r.method !== 'GET') && r.access !== 'public'
          ? [{ name: 'x-csrf-token', in: 'header', required: true, schema: { type: 'string' } }]
          : []),
      ],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content:
                r.body === 'stream'
                  ? {
                      'text/csv': { schema: { type: 'string' } },
                      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
                    }
                  : { 'application/json': { schema: schemaOf(r.body, 'input') } },
            },
          }
        : {}),
      responses,
      ...(r.access === 'public' ? { security: [] } : {}),
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Uptake API',
      version: VERSION,
      description:
        'The JSON API behind the Uptake web app. Sign in with POST /api/login (session cookie); ' +
        'send the csrf value of GET /api/me as x-csrf-token on every POST, PUT and DELETE. Errors ' +
        'are {"error": {"code", "message"}} with a code of the closed set.',
    },
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, clean(v)])),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'uptake_session' },
      },
    },
    security: [{ session: [] }],
    paths,
  };
}
