// The answers the rules of one evaluation cycle share. Rules reading the same KPI function over
// the same window at the same time get one statement's answer, and each applies its own
// filters, group_by and SLA to it: 500 rules need about 44 distinct statements per cycle, not
// 500 (docs/performance.md). A memo lives for one cycle, so what arrives meanwhile is read by
// the next one.

/** The parts a shared answer depends on; together they must name the statement exactly. */
export type MemoKey = readonly (string | number | bigint | undefined)[]

export interface CycleMemo {
  /** The answer under `key`, computed once per cycle; a failure is shared too (each rule reading it reports it). */
  once<T>(key: MemoKey, compute: () => Promise<T>): Promise<T>
}

export function createCycleMemo(): CycleMemo {
  const answers = new Map<string, Promise<unknown>>()
  return {
    once<T>(key: MemoKey, compute: () => Promise<T>): Promise<T> {
      const name = key.map((part) => (part === undefined ? '' : String(part))).join('\u0000')
      let answer = answers.get(name) as Promise<T> | undefined
      if (answer === undefined) {
        answer = compute()
        answers.set(name, answer)
      }
      return answer
    },
  }
}

/** Nothing shared: every call computes (an evaluation outside an engine cycle). */
export const UNSHARED: CycleMemo = { once: (_key, compute) => compute() }
