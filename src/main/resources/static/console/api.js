// The console's only way to the service: the HTTP API under /api/v1, as any client
// calls it. An API key lives in sessionStorage (this tab, until it closes) and travels
// in the Authorization header only, never in a URL, where logs and history would keep it.
// Signed in with the company IdP instead, the console has no key: its calls carry the
// session cookie, and the state-changing ones the CSRF token (the XSRF-TOKEN cookie,
// sent back as the X-XSRF-TOKEN header), without which the API refuses them.

const KEY = 'failfast.console.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key);
  },
  /** Forgets the key, and ends the IdP session if there is one. */
  async signOut() {
    const hadKey = sessionStorage.getItem(KEY) !== null;
    sessionStorage.removeItem(KEY);
    if (!hadKey && csrfToken()) {
      await fetch('/console/logout', {
        method: 'POST', credentials: 'same-origin', headers: { 'X-XSRF-TOKEN': csrfToken() },
      }).catch(() => {});
    }
  },
};

/** The CSRF token of an IdP session, from its cookie; null without one. */
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : null;
}

/** What the sign-in page offers (GET /console/config.json): the IdP, if any. */
export async function consoleSettings() {
  const response = await fetch('/console/config.json', { cache: 'no-store', credentials: 'same-origin' });
  return response.ok ? response.json() : { identityProvider: null };
}

/** A refused call: the status and the problem detail (RFC 9457) the API answered with. */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  /** The problem's field errors, [{field, message}], empty when it has none. */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/** Listeners told when the key stops working (401), so the app can ask for another. */
const unauthorizedListeners = new Set();
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

/** The key was refused (it was revoked, or expired): tells the listeners, which sign out. */
export function notifyUnauthorized() {
  unauthorizedListeners.forEach((listener) => listener());
}

/**
 * How a request proves who sends it: the key in the Authorization header and no cookie,
 * or, without a key, the IdP session's cookie, with the CSRF token on state-changing
 * methods.
 */
export function credentialsFor(method = 'GET', key = session.key) {
  if (key) return { headers: { Authorization: `Bearer ${key}` }, credentials: 'omit' };
  const headers = {};
  const token = csrfToken();
  if (token && !['GET', 'HEAD'].includes(method)) headers['X-XSRF-TOKEN'] = token;
  return { headers, credentials: 'same-origin' };
}

/**
 * Calls the API. `body` is sent as JSON (a string is sent as it is: the submit editor's
 * text goes to the API untouched, so its errors name the user's own fields).
 */
export async function api(path, { method = 'GET', body, key, signal, headers = {} } = {}) {
  const sender = credentialsFor(method, key === undefined ? session.key : key);
  const request = {
    method,
    signal,
    cache: 'no-store',
    credentials: sender.credentials,
    headers: { Accept: 'application/json, application/problem+json', ...sender.headers, ...headers },
  };
  if (body !== undefined) {
    request.headers['Content-Type'] = 'application/json';
    request.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, request);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    if (response.status === 401 && key === undefined) notifyUnauthorized();
    throw new ProblemError(response.status, data);
  }
  return data;
}

/** A query string from the entries whose value is set; arrays repeat their name. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== '') search.append(name, one);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The caller's tenant, principal and scopes (GET /api/v1/me). */
export function whoAmI(key) {
  return api('/me', { key });
}

export const batches = {
  list: (filter, signal) => api(`/batches${query(filter)}`, { signal }),
  get: (id, signal) => api(`/batches/${encodeURIComponent(id)}`, { signal }),
  jobs: (id, filter, signal) => api(`/batches/${encodeURIComponent(id)}/jobs${query(filter)}`, { signal }),
  job: (id, jobId, signal) =>
    api(`/batches/${encodeURIComponent(id)}/jobs/${encodeURIComponent(jobId)}`, { signal }),
  submit: (text) => api('/batches', { method: 'POST', body: text }),
  cancel: (id, reason) =>
    api(`/batches/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: reason ? { reason } : {} }),
  redrive: (id) => api(`/batches/${encodeURIComponent(id)}/redrive`, { method: 'POST', body: {} }),
  remove: (id) => api(`/batches/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};
