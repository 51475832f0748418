// Sign-in with an API key. The key is checked (GET /api/v1/me) before it is kept, and
// kept in sessionStorage only: it is gone when the tab closes, and no other tab or
// later visit sees it.

import { session, whoAmI } from '../api.js';
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
}
