import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Link, Route, Switch, useLocation } from 'wouter-preact';
import { api, currentToken, setToken, unwrap } from './api/client';
import { connectLive } from './api/live';
import type { Identity } from './api/types';
import { SessionContext } from './components/ui';
import { DrillsPage } from './pages/drills';
import { EventsPage } from './pages/events';
import { IncidentPage } from './pages/incident';
import { IncidentsPage } from './pages/incidents';
import { KeysPage } from './pages/keys';
import { LedgerPage } from './pages/ledger';
import { ModelsPage } from './pages/models';
import { OverviewPage } from './pages/overview';
import './style.css';

const queries = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: false } },
});

const NAV = [
  ['/', 'Overview'],
  ['/incidents', 'Incidents'],
  ['/events', 'Events'],
  ['/models', 'Models'],
  ['/keys', 'Keys and containment'],
  ['/ledger', 'Ledger'],
  ['/drills', 'Drills'],
] as const;

/** Live updates: one stream per tab; a burst of events refetches what they touch once. */
function useLiveUpdates(setLive: (up: boolean) => void) {
  const client = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const touched = new Set<string>();
    const stop = connectLive((m) => {
      touched.add(m.type);
      timer ??= setTimeout(() => {
        timer = undefined;
        for (const key of ['overview', 'incidents', 'incident', 'approvals', 'actions'])
          void client.invalidateQueries({ queryKey: [key] });
        if (touched.has('drill')) void client.invalidateQueries({ queryKey: ['drills'] });
        touched.clear();
      }, 500);
      window.dispatchEvent(new CustomEvent('aisoc-live', { detail: m }));
    }, setLive);
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [client, setLive]);
}

function Shell(props: { identity: Identity; signOut: () => void }) {
  const [location] = useLocation();
  const [live, setLive] = useState(false);
  useLiveUpdates(setLive);
  const current = (href: string) =>
    href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`);
  return (
    <SessionContext.Provider value={{ identity: props.identity, signOut: props.signOut }}>
      <a href="#main" class="skip">
        Skip to content
      </a>
      <header class="top">
        <strong>aisoc</strong>
        <nav aria-label="Pages">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={current(href) ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span role="status" class={live ? 'live on' : 'live'}>
            {live ? 'live' : 'offline'}
          </span>{' '}
          {props.identity.name} ({props.identity.role}){' '}
          <button type="button" onClick={props.signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={OverviewPage} />
          <Route path="/incidents" component={IncidentsPage} />
          <Route path="/incidents/:id">{(p) => <IncidentPage id={p.id} />}</Route>
          <Route path="/events" component={EventsPage} />
          <Route path="/models">{() => <ModelsPage />}</Route>
          <Route path="/models/:id">{(p) => <ModelsPage model={p.id} />}</Route>
          <Route path="/keys" component={KeysPage} />
          <Route path="/ledger" component={LedgerPage} />
          <Route path="/drills" component={DrillsPage} />
          <Route>
            <h1>Not found</h1>
            <p>
              No such page. <Link href="/">Go to the overview</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </SessionContext.Provider>
  );
}

function SignIn(props: { onSignedIn: (identity: Identity) => void; error?: string }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(props.error ?? '');
  const submit = async (e: Event) => {
    e.preventDefault();
    setToken(value.trim());
    try {
      props.onSignedIn(await unwrap<Identity>(api.GET('/api/v1/whoami')));
    } catch (err) {
      setToken('');
      setError((err as Error).message);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>aisoc console</h1>
      <form onSubmit={submit}>
        <label for="token">Admin or user token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
      <p class="hint">
        The admin token is in the file <code>aisoc serve</code> printed; user tokens come from{' '}
        <code>aisoc users add</code>.
      </p>
    </main>
  );
}

function App() {
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [checking, setChecking] = useState(currentToken() !== '');
  useEffect(() => {
    if (!checking) return;
    unwrap<Identity>(api.GET('/api/v1/whoami'))
      .then(setIdentity, () => setToken(''))
      .finally(() => setChecking(false));
  }, [checking]);
  if (checking) return <p role="status">Signing in…</p>;
  if (!identity) return <SignIn onSignedIn={setIdentity} />;
  const signOut = () => {
    setToken('');
    queries.clear();
    setIdentity(null);
  };
  return <Shell identity={identity} signOut={signOut} />;
}

render(
  <QueryClientProvider client={queries}>
    <App />
  </QueryClientProvider>,
  document.getElementById('app')!,
);
