import type { FastifyRequest } from 'fastify';
import { requireRole } from '../access.ts';
import type { Role } from '../roles.ts';
import type { Api } from './api.ts';
import { principalOf } from './principal.ts';

/**
 * Who may call a route, declared on the route (`config: { access }`) and checked by the HTTP
 * layer before the handler runs: `'public'` for anyone, `'authenticated'` for any signed-in
 * caller, `{ roles }` for callers holding one of the roles (admin passes every check; take a
 * group from ROLE_GROUPS where one fits). Scope (which records) stays the services' business.
 */
export type Access =
  | 'public'
  | 'authenticated'
  | {
      readonly roles: readonly Role[];
      /**
       * The service checks these roles itself, inside its refusal audit, so that a refused
       * attempt lands in the audit log with the record it aimed at; the HTTP layer then only
       * requires a caller (401), and the roles are declared here for the OpenAPI and the reader.
       */
      readonly audited?: true;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; see Access. Every route under /api/ declares it. */
    access?: Access;
  }
}

/** One route as registered, with what it declares. */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access | undefined;
}

const declared = new WeakMap<object, DeclaredRoute[]>();

/** The routes registered on the app so far, with their access declarations (for tests and checks). */
export function declaredRoutes(app: Api): readonly DeclaredRoute[] {
  return declared.get(app) ?? [];
}

/**
 * Throws unauthenticated (401) when the route needs a caller and the request has none, and
 * forbidden (403) when the caller lacks every role the route names. Runs after validation,
 * where the handlers made the same checks before, so a malformed request still gets its 400.
 */
export function checkAccess(request: FastifyRequest, access: Access | undefined): void {
  if (access === undefined || access === 'public') return;
  const principal = principalOf(request);
  if (access !== 'authenticated' && !access.audited) requireRole(principal, ...access.roles);
}

/**
 * Installs the one authorization check (a preHandler hook, so after the identity module's
 * onRequest hook has set `request.principal`) and records every route's declaration.
 * Must run before any route is added.
 */
export function installAccessControl(app: Api): void {
  const routes: DeclaredRoute[] = [];
  declared.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url: route.url, access: route.config?.access });
  });
  app.addHook('preHandler', async (request) => {
    checkAccess(request, request.routeOptions.config.access);
  });
}

/** The OpenAPI path of a Fastify URL (`/a/:id` → `/a/{id}`). */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

/**
 * Adds `x-access` ('public' | 'authenticated' | 'roles') and, for role-bound routes, `x-roles`
 * to each operation of the OpenAPI document, so clients see who may call what.
 */
export function annotateAccess(
  app: Api,
  document: { paths?: Record<string, Record<string, Record<string, unknown>>> },
): void {
  for (const route of declaredRoutes(app)) {
    const operation = document.paths?.[openApiPath(route.url)]?.[route.method.toLowerCase()];
    if (!operation || route.access === undefined) continue;
    if (typeof route.access === 'string') operation['x-access'] = route.access;
    else {
      operation['x-access'] = 'roles';
      operation['x-roles'] = [...route.access.roles];
    }
  }
}
