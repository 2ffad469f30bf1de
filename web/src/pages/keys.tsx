import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import type { AppliedAction } from '../api/types';
import { DataTable, ErrorNote, Loading, Section, time, useCan } from '../components/ui';

interface Key {
  id: string;
  principal: string;
  prefix: string;
  state: string;
  models: string[] | null;
  ratePerSecond: number | null;
  createdAt: string;
}

const incidentOf = (reason: string) => /inc_[0-9A-Z]+/.exec(reason)?.[0];

export function KeysPage() {
  const can = useCan();
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const keys = useQuery({
    queryKey: ['keys'],
    queryFn: () => unwrap<{ keys: Key[] }>(api.GET('/api/v1/keys')),
  });
  const actions = useQuery({
    queryKey: ['actions'],
    queryFn: () =>
      unwrap<{ actions: AppliedAction[] }>(
        api.GET('/api/v1/actions', { params: { query: { active: 'true' } } }),
      ),
  });
  const act = useMutation({
    mutationFn: (call: () => Promise<unknown>) => call(),
    onSettled: () => client.invalidateQueries(),
  });
  const contain = (kind: 'suspend_key' | 'rate_limit', keyId: string) =>
    act.mutate(() =>
      unwrap(
        api.POST('/api/v1/actions', {
          body: {
            action:
              kind === 'suspend_key'
                ? { kind, keyId }
                : { kind, keyId, ratePerSecond: 0.2, burst: 1 },
            reason: reason || `by hand from the console`,
          },
        }),
      ),
    );
  return (
    <>
      <h1>Keys and containment</h1>
      {act.isError && <ErrorNote error={act.error} />}
      <Section title="Active containment actions">
        {actions.isPending ? (
          <Loading what="actions" />
        ) : actions.isError ? (
          <ErrorNote error={actions.error} />
        ) : (
          <DataTable
            caption="Active actions"
            columns={['action', 'source incident', 'reason', 'applied', '']}
            rows={actions.data.actions.map((a) => [
              <span class="mono">{`${a.action.kind} ${a.action.keyId ?? a.action.model ?? ''}`}</span>,
              incidentOf(a.reason) ? (
                <a href={`/incidents/${incidentOf(a.reason)}`}>{incidentOf(a.reason)}</a>
              ) : (
                '—'
              ),
              a.reason,
              time(a.appliedAt),
              can('actions.write') ? (
                <button
                  type="button"
                  disabled={act.isPending}
                  aria-label={`Lift ${a.action.kind} ${a.id}`}
                  onClick={() =>
                    act.mutate(() =>
                      unwrap(
                        api.POST('/api/v1/actions/{id}/lift', { params: { path: { id: a.id } } }),
                      ),
                    )
                  }
                >
                  Lift
                </button>
              ) : (
                ''
              ),
            ])}
            empty="No active containment."
          />
        )}
      </Section>
      <Section title="Keys">
        {can('actions.write') && (
          <p>
            <label>
              Reason for suspend and rate-limit{' '}
              <input
                value={reason}
                onInput={(e) => setReason((e.target as HTMLInputElement).value)}
              />
            </label>
          </p>
        )}
        {keys.isPending ? (
          <Loading what="keys" />
        ) : keys.isError ? (
          <ErrorNote error={keys.error} />
        ) : (
          <DataTable
            caption="API keys"
            columns={['principal', 'key', 'state', 'models', 'rate /s', 'created', '']}
            rows={keys.data.keys.map((k) => [
              k.principal,
              <span class="mono">{k.id}</span>,
              k.state,
              k.models?.join(', ') ?? 'all',
              k.ratePerSecond ?? '—',
              time(k.createdAt),
              can('actions.write') && k.state === 'active' ? (
                <div class="actions-row">
                  <button
                    type="button"
                    aria-label={`Suspend ${k.principal}`}
                    onClick={() => contain('suspend_key', k.id)}
                  >
                    Suspend
                  </button>
                  <button
                    type="button"
                    aria-label={`Rate-limit ${k.principal}`}
                    onClick={() => contain('rate_limit', k.id)}
                  >
                    Rate-limit
                  </button>
                </div>
              ) : (
                ''
              ),
            ])}
          />
        )}
      </Section>
    </>
  );
}
