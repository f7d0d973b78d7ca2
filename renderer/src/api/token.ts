const STORAGE_KEY = 'fieldbench.token';

/**
 * The ready URL carries the token in the fragment (never sent to the server in requests or logs).
 * Move it to sessionStorage and clean the address bar.
 */
export function takeTokenFromLocation(): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(STORAGE_KEY, match[1]);
    history.replaceState(null, '', `${location.pathname}${location.search}#/home`);
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** Keeps a rotated token for this browser session (the page then reconnects with it). */
export function storeToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}
