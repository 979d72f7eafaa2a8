// Which alerts the engine hands to the notifiers. An alert is held while it flaps or while a
// firing SourceLate{system} inhibits it (it reads that system's data). Held means its new
// episode is not handed over, so nothing about it is sent; an episode the notifiers already
// have goes on being handed over, so its resolve message still goes out (the notifiers treat an
// alert that disappears as resolved, so withholding one they know would send a false resolve).
// The state machine, the stored state and the API see every alert, held or not.
//
// This is the engine's own mechanism rather than notify/inhibition.ts: the inhibition there
// matches labels, and "depends on system X" is not a label (a process rule reads all of its
// process's systems); adding such labels would change every alert's identity. The engine knows
// each rule's systems (rules/source-late.ts), and one mechanism serves flapping too.
import type { ProcessDefinition } from '../processes/index.ts'
import type { StoredAlert } from './alert-store.ts'
import type { Rule } from './model.ts'
import { dependsOnSystems, SOURCE_LATE } from './source-late.ts'

export function holdReason(
  stored: StoredAlert,
  rule: Rule | undefined,
  lateSystemsFiring: ReadonlySet<string>,
  definitions: ReadonlyMap<string, ProcessDefinition>,
): string | undefined {
  if (rule === undefined) return undefined
  if (stored.details.flap?.flapping === true) return 'flapping'
  if (lateSystemsFiring.size === 0) return undefined
  const late = [...dependsOnSystems(rule, stored.record.labels, definitions)].filter((s) => lateSystemsFiring.has(s)).sort()
  return late.length > 0 ? `inhibited by ${SOURCE_LATE}{system=${late.join(',')}}` : undefined
}

export interface NotifierSelection {
  /** What the notifiers get this cycle. */
  readonly handed: readonly StoredAlert[]
  /** Alerts whose hold or notified episode changed: to be stored. */
  readonly changed: readonly StoredAlert[]
}

/** `candidates`: the alerts the notifiers would get without holds (firing, recovering, recently resolved). */
export function selectForNotifier(
  candidates: readonly StoredAlert[],
  rules: ReadonlyMap<string, Rule>,
  definitions: ReadonlyMap<string, ProcessDefinition>,
): NotifierSelection {
  const lateSystemsFiring = new Set(
    candidates.filter((s) => s.record.ruleId === SOURCE_LATE && s.record.phase !== 'resolved').map((s) => s.record.labels.system ?? ''),
  )
  const handed: StoredAlert[] = []
  const changed: StoredAlert[] = []
  for (const stored of candidates) {
    const { record, details } = stored
    const known = details.notifiedEpisode === record.episodeId
    // An episode held until it resolved stays held: the notifiers never saw it fire.
    const heldToTheEnd = record.phase === 'resolved' && !known && (details.held ?? '') !== '' ? details.held : undefined
    const held = holdReason(stored, rules.get(record.ruleId), lateSystemsFiring, definitions) ?? heldToTheEnd
    const hand = held === undefined || known
    const next: StoredAlert = {
      record,
      details: {
        ...details,
        ...(hand && record.phase !== 'resolved' ? { notifiedEpisode: record.episodeId } : {}),
        held: held ?? '',
      },
    }
    if (next.details.notifiedEpisode !== details.notifiedEpisode || next.details.held !== (details.held ?? '')) changed.push(next)
    if (hand) handed.push(next)
  }
  return { handed, changed }
}
