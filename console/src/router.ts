// Client-side routes under /console/ (the server answers index.html for each: CLIENT_ROUTE in
// src/http/routes/console/ui.ts lists the same paths; a new page is added in both).
// Hand-written rather than preact-iso: four fixed paths and pushState are all the console needs, and preact-iso
// brings lazy loading, prerendering and a peer dependency on preact-render-to-string that nothing here uses.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export type Route =
  | { page: 'overview' }
  | { page: 'sessions'; query: URLSearchParams }
  | { page: 'session'; countryCode: string; partyId: string; id: string }
  | { page: 'partners' }
  | { page: 'not-found' };

export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'sessions' && parts.length === 1)
    return { page: 'sessions', query: new URLSearchParams(search) };
  if (parts[0] === 'sessions' && parts.length === 4) {
    const [, cc, pid, id] = parts.map(decodeURIComponent) as [string, string, string, string];
    return { page: 'session', countryCode: cc, partyId: pid, id };
  }
  if (parts[0] === 'partners' && parts.length === 1) return { page: 'partners' };
  return { page: 'not-found' };
}

const listeners = new Set<() => void>();

/** Goes to a console path (e.g. `/sessions?status=ACTIVE`) without reloading. */
export function navigate(path: string, replace = false): void {
  const url = BASE + path;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The current route; re-renders on navigate() and on the browser's back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname, location.search));
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A plain <a> (keyboard, middle-click and "open in new tab" work) that navigates in place on a plain click. */
export function onLinkClick(e: MouseEvent, path: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(path);
}
