// The console's entry point: who is signed in, and which view the URL's fragment names.
// Routes are fragments (#/batches/<id>), so the page is one static file, and a URL
// never carries anything but ids.

import { api, consoleSettings, onUnauthorized, session, whoAmI } from './api.js';
import { h, replace } from './dom.js';
import { batchView } from './views/batch.js';
import { batchesView } from './views/batches.js';
import { jobView } from './views/job.js';
import { signInView } from './views/signin.js';
import { submitView } from './views/submit.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

let caller = null;
let dispose = () => {};

const ROUTES = [
  [/^#\/batches\/([^/]+)\/jobs\/(.+)$/, (match) => jobView(main, context(), decode(match[1]), decode(match[2]))],
  [/^#\/batches\/([^/]+)$/, (match) => batchView(main, context(), decode(match[1]))],
  [/^#\/submit$/, () => submitView(main, context())],
  [/^(#\/?)?$/, () => batchesView(main, context())],
];

function decode(part) {
  return decodeURIComponent(part);
}

/** What views get: the caller, what it may do, and how to move on. */
function context() {
  return {
    caller,
    may: (scope) => caller.scopes.includes('admin') || caller.scopes.includes(scope),
    navigate: (hash) => {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
  };
}

function route() {
  dispose();
  dispose = () => {};
  if (!caller) {
    showCaller();
    dispose = signInView(main, signedIn) || dispose;
    return;
  }
  const hash = location.hash;
  for (const [pattern, view] of ROUTES) {
    const match = hash.match(pattern);
    if (match) {
      dispose = view(match) || dispose;
      main.focus({ preventScroll: true });
      return;
    }
  }
  replace(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the batches')));
}

function signedIn(me) {
  caller = me;
  showCaller();
  route();
}

async function signOut() {
  await session.signOut();
  caller = null;
  route();
}

function showCaller() {
  nav.hidden = !caller;
  document.getElementById('nav-submit').hidden = !caller || !context().may('batches:write');
  if (!caller) {
    replace(who);
    return;
  }
  const button = h('button', { type: 'button', class: 'secondary', id: 'sign-out' }, 'Sign out');
  button.addEventListener('click', signOut);
  replace(who, h('span', { id: 'caller' }, `${caller.tenant} · ${caller.principal}`), button);
}

async function start() {
  onUnauthorized(signOut);
  window.addEventListener('hashchange', route);
  if (session.key) {
    try {
      caller = await whoAmI(session.key);
    } catch (error) {
      // Only a refused key is let go of: a network error or a restart (503) is not the key's fault.
      if (error.status === 401) session.signOut();
    }
  } else if ((await consoleSettings().catch(() => ({}))).identityProvider) {
    // Back from the company IdP, or a reload after it: the session cookie, if any (and
    // reading the settings gave it its CSRF token cookie).
    caller = await api('/me', { key: null }).catch(() => null);
  }
  showCaller();
  route();
}

start();
