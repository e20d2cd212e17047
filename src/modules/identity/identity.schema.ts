import type { ColumnType, Generated } from 'kysely';
import { z } from 'zod';
import { ROLES } from '../../platform/access.ts';

/** Tables owned by the identity module. */
export interface IdentityTables {
  users: {
    id: string;
    username: string;
    display_name: string;
    /** `scrypt$N$r$p$salt$hash`, or null for users who only sign in through OIDC. */
    password_hash: string | null;
    roles: string[];
    jurisdiction_code: string;
    jurisdiction_path: string;
    department_code: string | null;
    active: boolean;
    /** Bumped on password change and deactivation: tokens carrying an older value stop working. */
    token_version: Generated<number>;
    created_at: ColumnType<Date, Date, never>;
    updated_at: Date;
  };
  api_keys: {
    id: string;
    name: string;
    /** SHA-256 (hex) of the whole secret; the secret itself is never stored. */
    key_hash: string;
    roles: string[];
    jurisdiction_code: string;
    jurisdiction_path: string;
    department_code: string | null;
    created_by: string;
    created_at: ColumnType<Date, Date, never>;
    revoked_at: Date | null;
  };
  login_failures: {
    id: Generated<number>;
    username: string;
    at: Date;
  };
}

/** A role name as the API accepts it. */
export const RoleSchema = z.enum(ROLES);

/** Usernames: lowercase letters, digits, dot, underscore, hyphen; 3–64 characters. */
export const UsernameSchema = z
  .string()
  .regex(/^[a-z0-9._-]{3,64}$/, 'must be 3–64 characters of a-z, 0-9, dot, underscore or hyphen');

/** Passwords: 8–256 characters (scrypt is given at most this much to chew on). */
export const PasswordSchema = z.string().min(8, 'must be at least 8 characters').max(256);

const rolesField = z
  .array(RoleSchema)
  .max(ROLES.length)
  .refine((r) => new Set(r).size === r.length, 'duplicate role');
const departmentField = z.string().min(1).max(64).nullable();

/** A user as the API returns it (never with the password hash). */
export const UserSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(RoleSchema),
  jurisdictionCode: z.string(),
  jurisdictionPath: z.string(),
  departmentCode: z.string().nullable(),
  active: z.boolean(),
  hasPassword: z.boolean().describe('false for users who can only sign in through OIDC'),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type UserDto = z.infer<typeof UserSchema>;

/** Body of POST /api/v1/users (and input of ensureUser). */
export const CreateUserSchema = z.strictObject({
  username: UsernameSchema,
  displayName: z.string().trim().min(1).max(120),
  password: PasswordSchema.optional().describe('omit for OIDC-only users'),
  roles: rolesField,
  jurisdictionCode: z.string().min(1).max(32),
  departmentCode: departmentField.optional(),
});
export type CreateUserInput = z.infer<typeof CreateUserSchema>;

/** Body of PATCH /api/v1/users/:id. */
export const UpdateUserSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(120).optional(),
    roles: rolesField.optional(),
    active: z.boolean().optional(),
    departmentCode: departmentField.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'nothing to change');
export type UpdateUserInput = z.infer<typeof UpdateUserSchema>;

/** Body of POST /api/v1/users/:id/password: your own (with the old one) or, for managers, a reset. */
export const PasswordChangeSchema = z.strictObject({
  oldPassword: z.string().max(256).optional().describe('required when changing your own password'),
  newPassword: PasswordSchema,
});
export type PasswordChangeInput = z.infer<typeof PasswordChangeSchema>;

/** Filters of GET /api/v1/users; results are always limited to the caller's jurisdiction. */
export const UserQuerySchema = z.strictObject({
  jurisdictionCode: z.string().min(1).max(32).optional().describe('only users at exactly this node'),
  role: RoleSchema.optional(),
  active: z.stringbool().optional(),
  q: z.string().min(1).max(64).optional().describe('substring of username or display name'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type UserQuery = z.infer<typeof UserQuerySchema>;

/** Body of POST /api/v1/auth/login. */
export const LoginSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** Answer of a successful login. */
export const LoginResultSchema = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
  user: UserSchema,
});
export type LoginResult = z.infer<typeof LoginResultSchema>;

/** An API key as listed (never with its secret). */
export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(RoleSchema),
  jurisdictionCode: z.string(),
  jurisdictionPath: z.string(),
  departmentCode: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ApiKeyDto = z.infer<typeof ApiKeySchema>;

/** Body of POST /api/v1/api-keys. */
export const CreateApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  roles: rolesField,
  jurisdictionCode: z.string().min(1).max(32),
  departmentCode: departmentField.optional(),
});
export type CreateApiKeyInput = z.infer<typeof CreateApiKeySchema>;

/** Answer of POST /api/v1/api-keys: the only time the secret is shown. */
export const CreatedApiKeySchema = z.object({ apiKey: ApiKeySchema, secret: z.string() });

/** The caller as GET /api/v1/auth/me shows it. */
export const MeSchema = z.object({
  principal: z.object({
    kind: z.enum(['user', 'api_key', 'system']),
    id: z.string(),
    name: z.string(),
    roles: z.array(RoleSchema),
    jurisdictionCode: z.string(),
    jurisdictionPath: z.string(),
    departmentCode: z.string().nullable(),
  }),
  user: UserSchema.nullable(),
});

/** Where a jurisdiction node sits; the jurisdictions module answers it. */
export interface JurisdictionNode {
  code: string;
  path: string;
  level: string;
}

/** Looks up a jurisdiction node by code (undefined when unknown). */
export type ResolveJurisdiction = (code: string) => Promise<JurisdictionNode | undefined>;

/** Tells whether a department code exists (the organisation module answers it). */
export type ResolveDepartment = (code: string) => Promise<boolean>;
