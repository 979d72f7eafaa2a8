// Master data, the same in every run: the chain's stores in Shanghai (with a position, for
// "nearest store") and its loyalty members (each living near some store). An online order
// is routed to the nearest store that has the goods.

export interface Store {
  readonly storeId: string
  readonly name: string
  /** Position on a km grid over the city. */
  readonly x: number
  readonly y: number
}

export interface Member {
  readonly memberId: string
  readonly x: number
  readonly y: number
}

export const STORES: readonly Store[] = [
  { storeId: 'SH001', name: 'Jing’an Plaza', x: 10, y: 12 },
  { storeId: 'SH002', name: 'Xujiahui', x: 8, y: 6 },
  { storeId: 'SH003', name: 'Lujiazui', x: 16, y: 11 },
  { storeId: 'SH004', name: 'Wujiaochang', x: 14, y: 20 },
  { storeId: 'SH005', name: 'Hongqiao', x: 2, y: 9 },
  { storeId: 'SH006', name: 'Zhangjiang', x: 24, y: 7 },
  { storeId: 'SH007', name: 'Minhang', x: 6, y: 0 },
  { storeId: 'SH008', name: 'Baoshan', x: 11, y: 27 },
]

// 200 members spread over the grid by a fixed formula: no randomness, the same in every run.
export const MEMBERS: readonly Member[] = Array.from({ length: 200 }, (_, i) => ({
  memberId: `M${String(800_001 + i)}`,
  x: (i * 7919) % 26,
  y: (i * 104_729) % 28,
}))

/** The stores by distance from the member, nearest first (ties by store id). */
export function storesByDistance(member: Member): readonly Store[] {
  const distance = (s: Store): number => Math.hypot(s.x - member.x, s.y - member.y)
  return [...STORES].sort((a, b) => distance(a) - distance(b) || a.storeId.localeCompare(b.storeId))
}
