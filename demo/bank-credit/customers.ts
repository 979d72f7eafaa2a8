// The bank's retail customers, the same in every run: the channel app knows each by its app
// user id, the bank's customer information system (CIS) and the core by the CIF number. The
// two ids are reference keys of an application (searchable, never linking two applications).

export interface BankCustomer {
  /** The mobile app / branch channel's user id. */
  readonly channelUserId: string
  /** The customer information file number the KYC check resolves and the core books on. */
  readonly cifNo: string
  readonly name: string
}

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Zhao', 'Huang', 'Zhou', 'Wu']
const GIVEN = ['Wei', 'Fang', 'Min', 'Jing', 'Lei', 'Yan']

export const BANK_CUSTOMERS: readonly BankCustomer[] = Array.from({ length: 60 }, (_, i) => ({
  channelUserId: `U${String(880_100 + i * 7)}`,
  cifNo: `CIF${String(3_100_000_000 + i * 1_313).padStart(10, '0')}`,
  name: `${SURNAMES[i % SURNAMES.length]!} ${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]!}`,
}))
