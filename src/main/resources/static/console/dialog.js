// A confirmation as a modal <dialog>: the browser traps focus in it, Escape closes it,
// and focus goes back to the button that opened it.

import { h } from './dom.js';

/**
 * Asks to confirm; resolves to {confirmed, reason}. With `reason`, the dialog has a
 * text field for it (optional, up to 1000 characters as the API takes).
 */
export function confirmDialog({ id, title, text, confirm, danger = false, reason = false }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const reasonField = reason ? h('textarea', { id: `${id}-reason`, rows: 3, maxlength: 1000 }) : null;
    const yes = h('button', { type: 'button', id: `${id}-confirm`, class: danger ? 'danger' : '' }, confirm);
    const no = h('button', { type: 'button', class: 'secondary', id: `${id}-dismiss` }, 'Keep it');
    const dialog = h('dialog', { id, 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-text` },
      h('h2', { id: `${id}-title` }, title),
      h('p', { id: `${id}-text` }, text),
      reasonField && h('div', { class: 'field' }, h('label', { for: `${id}-reason` }, 'Reason (optional)'), reasonField),
      h('div', { class: 'actions' }, yes, no));
    const close = (confirmed) => {
      dialog.close();
      dialog.remove();
      opener?.focus?.();
      resolve({ confirmed, reason: reasonField?.value.trim() || '' });
    };
    yes.addEventListener('click', () => close(true));
    no.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    (reasonField || no).focus();
  });
}
