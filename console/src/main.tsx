// The operator console (issue 18): the login page until an operator secret is kept, then the pages.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { whenRefused } from './api/client.js';
import { clearSecret, getSecret } from './auth.js';
import { Link } from './components/Link.js';
import { Login } from './pages/Login.js';
import { Overview } from './pages/Overview.js';
import { Partners } from './pages/Partners.js';
import { Session } from './pages/Session.js';
import { Sessions } from './pages/Sessions.js';
import { useRoute, type Route } from './router.js';
import './styles.css';

const TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  sessions: 'Sessions',
  session: 'Session',
  partners: 'Partners',
  'not-found': 'Not found',
};

function Page(props: { route: Route }) {
  const r = props.route;
  switch (r.page) {
    case 'overview':
      return <Overview />;
    case 'sessions':
      return <Sessions query={r.query} />;
    case 'session':
      return <Session countryCode={r.countryCode} partyId={r.partyId} id={r.id} />;
    case 'partners':
      return <Partners />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            No such page. <Link to="/">Go to the overview</Link>.
          </p>
        </>
      );
  }
}

function App() {
  const [loggedIn, setLoggedIn] = useState(() => getSecret() !== null);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => whenRefused(() => setLoggedIn(false)), []);
  // After a client-side navigation to another page, focus goes to its content (as a page load would put it at the
  // top); not when only the query changes (filters, sorting): focus stays on the control that was used.
  const pageKey =
    route.page === 'session' ? `session/${route.countryCode}/${route.partyId}/${route.id}` : route.page;
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [pageKey]);
  useEffect(() => {
    document.title = `${loggedIn ? TITLES[route.page] : 'Log in'} · ocpi-sessions console`;
  }, [route, loggedIn]);
  if (!loggedIn) return <Login onLogin={() => setLoggedIn(true)} />;
  const nav = (to: string, label: string, current: boolean) => (
    <li>
      <Link to={to} current={current}>
        {label}
      </Link>
    </li>
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">ocpi-sessions console</span>
        <nav aria-label="Console">
          <ul>
            {nav('/', 'Overview', route.page === 'overview')}
            {nav('/sessions', 'Sessions', route.page === 'sessions' || route.page === 'session')}
            {nav('/partners', 'Partners', route.page === 'partners')}
          </ul>
        </nav>
        <button
          type="button"
          class="secondary logout"
          onClick={() => {
            clearSecret();
            setLoggedIn(false);
          }}
        >
          Log out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
