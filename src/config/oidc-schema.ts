import { z } from 'zod';

/**
 * OIDC bearer tokens on the admin API: JWTs signed by the issuer's keys (its JWKS), for this
 * audience. The identity is `oidc:<nameClaim>`; its role comes from `roleClaim` (a role name,
 * or a list of them: the most trusted one counts). A token without a known role is refused.
 */
export const OidcSchema = z
  .object({
    issuer: z.string().url(),
    audience: z.string().min(1),
    /** Default: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
    jwksUrl: z.string().url().optional(),
    nameClaim: z.string().min(1).default('preferred_username'),
    roleClaim: z.string().min(1).default('aisoc_role'),
  })
  .strict();

export type OidcConfig = z.infer<typeof OidcSchema>;
