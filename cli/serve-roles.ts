// Which parts one `serve` process runs (config `roles`, `--role`, THROUGHLINE_ROLES). The
// collector and the API hold no state of their own and may run as many copies as wanted; the
// deriver and the rules engine must run once per store: two derivers would derive every row
// twice (idempotent, but twice the work, and memberships computed without each other's newest
// edges until the next batch), two rules engines would notify every alert twice.
import { SERVICE_ROLES, type Config, type ServiceRole } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'

export type Roles = ReadonlySet<ServiceRole>

/** The configured roles with `all` expanded, in the fixed order of SERVICE_ROLES. */
export function rolesOf(config: Readonly<Pick<Config, 'roles'>>): Roles {
  const named = new Set(config.roles)
  return new Set(SERVICE_ROLES.filter((role) => named.has('all') || named.has(role)))
}

/** `serve --demo` feeds the collector of its own process, so that process must run one. */
export function checkDemoRoles(roles: Roles, demo: string | undefined): void {
  if (demo !== undefined && !roles.has('collector')) {
    throw new ConfigError(
      `--demo: needs the collector role in this process (roles: ${[...roles].join(',')}); run \`throughline demo --otlp-url URL\` against a collector instead`,
    )
  }
}
