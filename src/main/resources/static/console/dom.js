// Builds DOM nodes from data without innerHTML: every value the API returns (names,
// messages, params) lands as text, so nothing a client submitted can become markup.

/**
 * h('a', {href: '#/x', class: 'link'}, 'text', child...) -> HTMLAnchorElement.
 * Attributes named on* are refused: behaviour is attached with addEventListener.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) throw new Error(`no inline handlers: ${name}`);
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}
