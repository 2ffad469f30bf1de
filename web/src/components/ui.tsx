import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Identity } from '../api/types';

/** Who is signed in; the UI hides what the role may not do (the API refuses it anyway). */
export const SessionContext = createContext<{ identity: Identity; signOut: () => void } | null>(
  null,
);

export function useCan(): (permission: string) => boolean {
  const session = useContext(SessionContext);
  return (p) => session?.identity.permissions.includes(p) ?? false;
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  const id = props.id ?? props.title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={id} class="card">
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function Loading(props: { what: string }) {
  return <p role="status">Loading {props.what}…</p>;
}

export function ErrorNote(props: { error: unknown }) {
  const e = props.error as { code?: string; message?: string };
  return (
    <p role="alert" class="error">
      {e.code ? `${e.code}: ` : ''}
      {e.message ?? String(props.error)}
    </p>
  );
}

/** A plain data table; `caption` names it for screen readers. */
export function DataTable(props: {
  caption: string;
  columns: readonly string[];
  rows: readonly (readonly ComponentChildren[])[];
  empty?: string;
}) {
  if (props.rows.length === 0) return <p>{props.empty ?? `No ${props.caption.toLowerCase()}.`}</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={i}>
              {r.map((cell, j) => (
                <td key={j}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const time = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString() : '—';

export const duration = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
};
