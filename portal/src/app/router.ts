// History routing under /portal/ without a router library: the route is the path after /portal/, links
// push state, and every consumer re-renders on popstate. index.html is served for every such path
// (the server's single-page fallback).
import { useSyncExternalStore, type MouseEvent } from 'react';

export const BASE = '/portal/';
const listeners = new Set<() => void>();

function notify(): void { for (const l of listeners) l(); }
window.addEventListener('popstate', notify);

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => { listeners.delete(l); };
}

function snapshot(): string { return window.location.pathname + window.location.search; }

/** The portal route: the path after /portal/ (decoded) and the query. */
export interface Route { path: string; query: URLSearchParams }

export function parseLocation(location: string): Route {
  const url = new URL(location, window.location.origin);
  let path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : '';
  try { path = decodeURI(path); } catch { /* keep it raw */ }
  return { path: path.replace(/\/+$/, ''), query: url.searchParams };
}

export function useRoute(): Route {
  const loc = useSyncExternalStore(subscribe, snapshot);
  return parseLocation(loc);
}

/** The href of a portal route, e.g. href('resource' + id + '/overview'). */
export function href(route: string): string {
  return BASE + encodeURI(route.replace(/^\/+/, ''));
}

export function navigate(route: string, replace = false): void {
  const url = href(route);
  if (replace) window.history.replaceState(null, '', url); else window.history.pushState(null, '', url);
  notify();
}

/** onClick for an <a href={href(route)}>: navigates in the page unless a modifier asks for a new tab. */
export function linkClick(route: string) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(route);
  };
}

/** The portal route of a resource blade: resource{id}/{blade}. */
export function resourceRoute(id: string, blade = 'overview'): string {
  return `resource${id}/${blade}`;
}
