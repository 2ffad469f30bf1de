import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { DataTable, ErrorNote, Loading, Section, time, useCan } from '../components/ui';

interface Card {
  scenario?: string;
  attack?: string;
  model?: string;
  detected?: boolean;
  contained?: boolean;
  secondsToDetect?: number | null;
  secondsToContain?: number | null;
  passed?: boolean;
  recordedAt?: string;
  incidents?: string[];
  [k: string]: unknown;
}

const SCENARIOS = ['extraction', 'evasion', 'poisoning', 'tampering'];

export function DrillsPage() {
  const can = useCan();
  const client = useQueryClient();
  const [scenario, setScenario] = useState('extraction');
  const [attack, setAttack] = useState('jacobian');
  const [lines, setLines] = useState<string[]>([]);
  const q = useQuery({
    queryKey: ['drills'],
    queryFn: () =>
      unwrap<{ history: Card[]; running: { id: string; scenario: string }[] }>(
        api.GET('/api/v1/drills'),
      ),
  });
  const run = useMutation({
    mutationFn: () =>
      unwrap<{ id: string }>(
        api.POST('/api/v1/drills', {
          body: { scenario, ...(attack.trim() ? { attack: attack.trim() } : {}) },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['drills'] }),
  });
  useEffect(() => {
    const on = (e: Event) => {
      const m = (
        e as CustomEvent<{
          type: string;
          data: { line?: string; state?: string; scenario?: string };
        }>
      ).detail;
      if (m.type !== 'drill') return;
      const line = m.data.line ?? `${m.data.scenario ?? 'drill'}: ${m.data.state ?? ''}`;
      setLines((l) => [...l.slice(-19), line]);
    };
    window.addEventListener('aisoc-live', on);
    return () => window.removeEventListener('aisoc-live', on);
  }, []);
  return (
    <>
      <h1>Drills</h1>
      {can('drills.run') && (
        <Section title="Run a drill">
          <form
            class="filters"
            onSubmit={(e) => {
              e.preventDefault();
              run.mutate();
            }}
          >
            <label>
              Scenario
              <select
                value={scenario}
                onChange={(e) => setScenario((e.target as HTMLSelectElement).value)}
              >
                {SCENARIOS.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <label>
              Attack (blank: the scenario's first)
              <input
                value={attack}
                onInput={(e) => setAttack((e.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit" class="primary" disabled={run.isPending}>
              Run drill
            </button>
          </form>
          {run.isError && <ErrorNote error={run.error} />}
          <ol aria-live="polite" aria-label="Drill progress">
            {lines.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ol>
        </Section>
      )}
      <Section title="Scorecards">
        {q.isPending ? (
          <Loading what="drills" />
        ) : q.isError ? (
          <ErrorNote error={q.error} />
        ) : (
          <>
            {q.data.running.length > 0 && (
              <p role="status">{q.data.running.length} drill(s) running.</p>
            )}
            <DataTable
              caption="Past drills, newest first"
              columns={['when', 'scenario', 'attack', 'model', 'detected', 'contained', 'passed']}
              rows={[...q.data.history]
                .reverse()
                .map((c) => [
                  time(c.recordedAt),
                  String(c.scenario ?? ''),
                  String(c.attack ?? ''),
                  String(c.model ?? ''),
                  c.detected === undefined
                    ? '—'
                    : c.detected
                      ? `yes (${c.secondsToDetect ?? '?'} s)`
                      : 'no',
                  c.contained === undefined
                    ? '—'
                    : c.contained
                      ? `yes (${c.secondsToContain ?? '?'} s)`
                      : 'no',
                  c.passed === undefined ? '—' : c.passed ? 'passed' : 'failed',
                ])}
              empty="No drills run yet."
            />
          </>
        )}
      </Section>
    </>
  );
}
