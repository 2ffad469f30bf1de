import { useQuery } from '@tanstack/react-query';
import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, unwrap } from '../api/client';
import { TimeChart } from '../components/chart';
import { RegistryPanels } from './model-registry';
import { DataTable, ErrorNote, Loading, Section } from '../components/ui';

interface DriftWindow {
  start: string;
  end: string;
  rows: number;
  comparison: {
    features: { name: string; psi?: number; statistic?: number; drifted: boolean; test?: string }[];
  } | null;
}

export function ModelsPage(props: { model?: string }) {
  const models = useQuery({
    queryKey: ['models'],
    queryFn: () =>
      unwrap<{ models: { id?: string; name?: string; [k: string]: unknown }[] }>(
        api.GET('/api/v1/registry/models'),
      ),
  });
  const overview = useQuery({
    queryKey: ['overview'],
    queryFn: () => unwrap<{ models: string[] }>(api.GET('/api/v1/console/overview')),
  });
  const served = overview.data?.models ?? [];
  return (
    <>
      <h1>Models</h1>
      <Section title="Served models">
        <ul>
          {served.map((m) => (
            <li key={m}>
              <Link href={`/models/${m}`} aria-current={props.model === m ? 'page' : undefined}>
                {m}
              </Link>
            </li>
          ))}
        </ul>
        {models.isError && <ErrorNote error={models.error} />}
      </Section>
      {props.model && <ModelDetail model={props.model} />}
    </>
  );
}

function ModelDetail(props: { model: string }) {
  const [metric, setMetric] = useState<'psi' | 'statistic'>('psi');
  const drift = useQuery({
    queryKey: ['drift', props.model],
    queryFn: () =>
      unwrap<{ windows: DriftWindow[] }>(
        api.GET('/api/v1/drift/{model}', { params: { path: { model: props.model } } }),
      ),
  });
  const windows = (drift.data?.windows ?? []).filter((w) => w.comparison);
  const features = windows.at(-1)?.comparison?.features ?? [];
  const x = windows.map((w) => Date.parse(w.end) / 1000);
  const series = features.slice(0, 8).map((f) => ({
    label: f.name,
    values: windows.map(
      (w) => w.comparison?.features.find((g) => g.name === f.name)?.[metric] ?? null,
    ),
  }));
  return (
    <>
      <h2>{props.model}</h2>
      <Section title="Drift per feature" id="drift">
        {drift.isPending ? (
          <Loading what="drift" />
        ) : drift.isError ? (
          <ErrorNote error={drift.error} />
        ) : (
          <>
            <label>
              Measure{' '}
              <select
                value={metric}
                onChange={(e) => setMetric((e.target as HTMLSelectElement).value as 'psi')}
              >
                <option value="psi">PSI</option>
                <option value="statistic">KS statistic</option>
              </select>
            </label>
            <TimeChart
              title={`${metric === 'psi' ? 'PSI' : 'KS statistic'} per feature (first 8) over time`}
              x={x}
              series={series}
            />
            <DataTable
              caption="Latest window, every feature"
              columns={['feature', 'test', 'statistic', 'PSI', 'drifted']}
              rows={features.map((f) => [
                f.name,
                f.test ?? '',
                f.statistic?.toFixed(3) ?? '—',
                f.psi?.toFixed(3) ?? '—',
                f.drifted ? 'yes' : 'no',
              ])}
              empty="No drift window yet: the model needs traffic."
            />
          </>
        )}
      </Section>
      <RegistryPanels model={props.model} />
    </>
  );
}
