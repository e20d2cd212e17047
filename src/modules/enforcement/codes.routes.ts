import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import type { Enforcement } from './enforcement.module.ts';
import { CodeTextSchema, CodeVerifySchema, StatusListSchema } from './enforcement.schema.ts';

const tags = ['enforcement'];
const P = '/api/v1/enforcement';

/** 执法码 and 企业码: keys (JWKS), current codes, verification, revocation and the status list. */
export function registerCodeRoutes(app: Api, deps: { enforcement: Enforcement }): void {
  const { codes } = deps.enforcement;
  app.get(
    `${P}/keys`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The codes’ signing keys as a JWKS (P-256, ES256)',
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.string())) }) },
      },
    },
    async () => codes.jwks(),
  );
  app.get(
    `${P}/codes/inspectors/:id`,
    {
      config: { access: { roles: ROLE_GROUPS.fieldWork, audited: true } },
      schema: {
        tags,
        summary: 'The inspector’s current 执法码 (QR text CB1:…): the inspector, or operators',
        params: z.object({ id: z.string() }),
        response: { 200: CodeTextSchema },
      },
    },
    async (request) => codes.inspectorCode(principalOf(request), request.params.id),
  );
  app.get(
    `${P}/codes/enterprises/:creditCode`,
    {
      config: { access: { roles: ROLE_GROUPS.responders } },
      schema: {
        tags,
        summary: 'The enterprise’s current 企业码 (QR text CB1:…)',
        params: z.object({ creditCode: z.string() }),
        response: { 200: CodeTextSchema },
      },
    },
    async (request) => codes.enterpriseCode(principalOf(request), request.params.creditCode),
  );
  app.post(
    `${P}/codes/verify`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Verify a QR text: signature, expiry and revocation, with the reason when refused',
        body: z.object({ qr: z.string().max(2000) }),
        response: { 200: CodeVerifySchema },
      },
    },
    async (request) => codes.verify(request.body.qr),
  );
  app.get(
    `${P}/codes/status`,
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The revocation status list the field app caches (GZIP bitstring, base64url)',
        response: { 200: StatusListSchema },
      },
    },
    async () => codes.statusList(),
  );
  app.post(
    `${P}/codes/:statusIndex/revoke`,
    {
      config: { access: { roles: ROLE_GROUPS.operators } },
      schema: {
        tags,
        summary: 'Revoke a code by its status-list index',
        params: z.object({ statusIndex: z.coerce.number().int().min(0) }),
        body: z.object({ reason: z.string().min(1).max(300) }),
        response: { 200: z.object({ statusIndex: z.number().int(), revoked: z.literal(true) }) },
      },
    },
    async (request) => codes.revoke(principalOf(request), request.params.statusIndex, request.body.reason),
  );
}
