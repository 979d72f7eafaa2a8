// Who is asking: ClickHouse's four ways to pass credentials (X-ClickHouse-User/Key headers,
// HTTP basic auth, `user`/`password` URL parameters; clients pick one), checked against the
// configured users in constant time. There is no anonymous access.
import { createHash, timingSafeEqual } from 'node:crypto'
import { AUTHENTICATION_FAILED, clickHouseError, REQUIRED_PASSWORD } from './errors.ts'

export interface HttpUser {
  readonly name: string
  readonly password: string
}

export interface CredentialSources {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly params: URLSearchParams
}

interface Credentials {
  readonly user: string
  readonly password: string
}

function header(headers: CredentialSources['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function basicCredentials(authorization: string | undefined): Credentials | undefined {
  if (authorization === undefined) return undefined
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim())
  if (match === null) throw clickHouseError(REQUIRED_PASSWORD, 'Invalid authentication: only Basic authorization is supported on this interface')
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** The credentials of one request; more than one way at once is refused, as ClickHouse does. */
function credentialsOf(sources: CredentialSources): Credentials | undefined {
  const found: Credentials[] = []
  const headerUser = header(sources.headers, 'x-clickhouse-user')
  const headerKey = header(sources.headers, 'x-clickhouse-key')
  if (headerUser !== undefined || headerKey !== undefined) found.push({ user: headerUser ?? 'default', password: headerKey ?? '' })
  const basic = basicCredentials(header(sources.headers, 'authorization'))
  if (basic !== undefined) found.push(basic)
  const paramUser = sources.params.get('user')
  const paramPassword = sources.params.get('password')
  if (paramUser !== null || paramPassword !== null) found.push({ user: paramUser ?? 'default', password: paramPassword ?? '' })
  if (found.length > 1) {
    throw clickHouseError(
      REQUIRED_PASSWORD,
      'Invalid authentication: it is not allowed to use more than one of the X-ClickHouse-User/Key headers, the Authorization header and the user/password parameters',
    )
  }
  return found[0]
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** The authenticated user's name; throws 194 (no credentials, 401) or 516 (wrong ones, 403). */
export function authenticate(sources: CredentialSources, users: readonly HttpUser[]): string {
  const credentials = credentialsOf(sources)
  if (credentials === undefined) {
    throw clickHouseError(
      REQUIRED_PASSWORD,
      'Authentication required: give a user and password (X-ClickHouse-User/X-ClickHouse-Key, basic auth or user/password parameters)',
    )
  }
  // Every user is compared, so the time taken does not tell which names exist.
  let matched: string | undefined
  for (const user of users) {
    const nameOk = timingSafeEqual(digest(user.name), digest(credentials.user))
    const passwordOk = timingSafeEqual(digest(user.password), digest(credentials.password))
    if (nameOk && passwordOk) matched = user.name
  }
  if (matched === undefined) {
    throw clickHouseError(AUTHENTICATION_FAILED, `${credentials.user}: Authentication failed: password is incorrect, or there is no user with such name`)
  }
  return matched
}
