/**
 * GRPO step time with 1 and 2 data-parallel trainer ranks (trainer/ddp.py), from the runs made on the two-GPU
 * machine (trainer/runs/<name>-ws1 and <name>-ws2, one device call, one run after the other). This machine has no
 * GPU: the section reads what those runs measured (metrics.json) and prints the pairs side by side.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { table } from './lib.ts'

interface RunMetrics {
  world_size: number
  accuracy_after: number
  grpo_steps: number
  median_step_s: number
  median_phase_s: Record<'gen_s' | 'exchange_s' | 'score_s' | 'update_s', number>
  wait_share: number
  groups_trained_twice: number
  groups_not_leased: number
}

const runs = new URL('../trainer/runs/', import.meta.url).pathname

function load (name: string): RunMetrics | null {
  const file = join(runs, name, 'metrics.json')
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as RunMetrics : null
}

export async function benchTrainerRanks (): Promise<string> {
  const pairs = readdirSync(runs).filter(n => n.endsWith('-ws1') && existsSync(join(runs, n.replace(/-ws1$/, '-ws2')))).sort()
  const rows: Array<Array<string | number>> = []
  for (const ws1 of pairs) {
    const one = load(ws1)
    const two = load(ws1.replace(/-ws1$/, '-ws2'))
    if (one === null || two === null) continue
    for (const m of [one, two]) {
      const p = m.median_phase_s
      rows.push([ws1.replace(/-ws1$/, ''), m.world_size, m.grpo_steps, m.median_step_s, m === two ? (two.median_step_s / one.median_step_s).toFixed(3) : '1', p.gen_s, p.exchange_s, p.score_s, p.update_s,
        `${(m.wait_share * 100).toFixed(0)}%`, m.accuracy_after, m.groups_trained_twice])
    }
  }
  return table('GRPO step with 1 and 2 trainer ranks (recorded on the two-GPU H200 machine, trainer/runs)',
    ['runs', 'ranks', 'steps', 'median step s', 'vs 1 rank', 'generate s', 'submit (old runs: + id exchange) s', 'lease wait s', 'update s', 'waiting on the service', 'held-out accuracy', 'groups trained twice'], rows)
}
