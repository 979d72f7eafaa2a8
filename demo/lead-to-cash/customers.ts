// The customer master of the lead-to-cash scenario: the same 40 customers in every run. The
// CRM knows each as an Account (ACC-1001), the ERP as a Customer with another number
// (0010004700): the two ids the integration maps and the process keeps as references.

export type CustomerTier = 'strategic' | 'key_account' | 'standard'

/** How a customer pays its invoices: within days, on the 30-day terms, or late. */
export type PaymentHabit = 'prompt' | 'net30' | 'late'

export interface Customer {
  readonly crmAccountId: string
  readonly erpCustomerId: string
  readonly name: string
  readonly tier: CustomerTier
  readonly region: string
  readonly habit: PaymentHabit
  /** CRM contact ids of the account (synced to the ERP as contact persons). */
  readonly contacts: readonly string[]
}

const PLACES = ['Huadong', 'Jinghai', 'Nanyue', 'Xishan', 'Beichen', 'Minjiang', 'Zhongyuan', 'Tianfu']
const TRADES = ['Appliances', 'Retail Group', 'Electronics', 'Trading Co.', 'Home Living']
const REGIONS = ['east', 'north', 'south', 'west']

const tierOf = (i: number): CustomerTier => (i % 10 === 0 ? 'strategic' : i % 4 === 1 ? 'key_account' : 'standard')
const habitOf = (i: number): PaymentHabit => (i % 10 === 7 ? 'late' : i % 3 === 0 ? 'prompt' : 'net30')

export const CUSTOMERS: readonly Customer[] = Array.from({ length: 40 }, (_, i) => {
  const crmAccountId = `ACC-${1001 + i}`
  return {
    crmAccountId,
    erpCustomerId: String(10_004_700 + i * 13).padStart(10, '0'),
    name: `${PLACES[i % PLACES.length]!} ${TRADES[i % TRADES.length]!}`,
    tier: tierOf(i),
    region: REGIONS[i % REGIONS.length]!,
    habit: habitOf(i),
    contacts: [1, 2, 3].map((n) => `${crmAccountId}-C${n}`),
  }
})

/** Big customers order more often: the weights of the order draw. */
export const ORDER_WEIGHTS: ReadonlyArray<readonly [number, Customer]> = CUSTOMERS.map(
  (c) => [c.tier === 'strategic' ? 4 : c.tier === 'key_account' ? 2 : 1, c] as const,
)

export const customerByAccount = (crmAccountId: string): Customer | undefined => CUSTOMERS.find((c) => c.crmAccountId === crmAccountId)
