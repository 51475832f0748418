// Sign-in with an API key. The key is checked (GET /api/v1/me) before it is kept, and
// kept in sessionStorage only: it is gone when the tab closes, and no other tab or
// later visit sees it. When the service has a company IdP (GET /console/config.json),
// a button signs in there instead: the browser goes to the IdP and comes back with a
// session cookie.

import { consoleSettings, session, whoAmI } from '../api.js';
import { h, replace } from '../dom.js';

export function signInView(main, signedIn) {
  const input = h('input', {
    id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    size: 48, 'aria-describedby': 'api-key-help',
  });
  const error = h('p', { id: 'sign-in-error', class: 'error-text', role: 'alert' });
  const form = h('form', { id: 'sign-in', novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: 'api-key' }, 'API key'),
      input,
      h('p', { id: 'api-key-help', class: 'field-help' },
        'A key of your team (ffk_…). It stays in this browser tab until you close it or sign out.')),
    h('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Enter an API key.';
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    try {
      const me = await whoAmI(key);
      session.signIn(key);
      signedIn(me);
    } catch (refused) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = refused.status === 401 ? 'This key is unknown, expired or revoked.'
        : `Could not sign in: ${refused.message}`;
    }
  });
  replace(main, h('h1', {}, 'Sign in'), form);
  input.focus();
  offerIdentityProvider(main, form);
}

async function offerIdentityProvider(main, form) {
  const { identityProvider } = await consoleSettings().catch(() => ({}));
  if (!identityProvider) return;
  const button = h('button', { type: 'button', id: 'sign-in-idp' }, `Sign in with ${identityProvider.name}`);
  button.addEventListener('click', () => location.assign(identityProvider.signInPath));
  const refused = new URLSearchParams(location.search).get('sign-in') === 'refused';
  const section = h('section', { id: 'idp', 'aria-label': 'Company sign-in' },
    button,
    refused ? h('p', { class: 'error-text', role: 'alert' },
      'The identity provider did not sign you in, or your account names no Failfast tenant.') : null,
    h('p', { class: 'muted' }, 'Or sign in with an API key:'));
  if (form.isConnected) main.insertBefore(section, form);
}
