// Master data, the same in every run: the plant's customers, the products it makes to order
// (each with the raw materials its bill of materials consumes and the work centre that makes
// it) and the raw materials, a few of which come from the supplier portal's vendor.

export interface Customer {
  readonly customerId: string
  readonly name: string
}

export interface Product {
  readonly material: string
  readonly description: string
  readonly workCenter: string
  /** Raw materials the bill of materials consumes. */
  readonly components: readonly string[]
  /** Median order value, CNY. */
  readonly medianValue: number
}

const CITIES = ['Suzhou', 'Wuxi', 'Ningbo', 'Hefei', 'Nanjing', 'Changzhou', 'Jiaxing', 'Shaoxing']
const TRADES = ['Machinery', 'Automation', 'Pumps', 'Electric', 'Motion', 'Hydraulics']

export const CUSTOMERS: readonly Customer[] = Array.from({ length: 48 }, (_, i) => ({
  customerId: `C${String(100_200 + i * 11)}`,
  name: `${CITIES[i % CITIES.length]!} ${TRADES[Math.floor(i / CITIES.length) % TRADES.length]!} Co.`,
}))

export const RAW_MATERIALS: readonly string[] = Array.from({ length: 24 }, (_, i) => `RM-${String(2_001 + i)}`)

export const WORK_CENTERS = ['WC-MACH-01', 'WC-MACH-02', 'WC-ASSY-01', 'WC-ASSY-02', 'WC-WELD-01'] as const

// Twelve products, their components and work centres by a fixed formula: no randomness.
export const PRODUCTS: readonly Product[] = Array.from({ length: 12 }, (_, i) => ({
  material: `FG-${String(5_100 + i * 10)}`,
  description: `Gearbox unit type ${String.fromCharCode(65 + i)}`,
  workCenter: WORK_CENTERS[i % WORK_CENTERS.length]!,
  components: [
    RAW_MATERIALS[(i * 5) % RAW_MATERIALS.length]!,
    RAW_MATERIALS[(i * 5 + 7) % RAW_MATERIALS.length]!,
    RAW_MATERIALS[(i * 5 + 13) % RAW_MATERIALS.length]!,
  ],
  medianValue: 18_000 + i * 3_500,
}))
