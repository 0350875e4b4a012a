// item.js: one line of the user list, the markup contract shared with
// src/pages/list_items.rs, which renders the same element before any
// script runs:
//
//   <li class="user" data-username="NAME" data-status="STATUS"
//       [data-devices="desktop mobile"] [data-last-seen="MS"]>
//     <span class="user-dot" role="img" aria-label="Online"></span>
//     <span class="user-name">NAME</span> <span class="user-status">Online</span>
//     <span class="user-devices" [aria-label="On desktop and mobile"]></span>
//     <span class="user-seen">last seen …</span>
//     [<span class="user-custom" tabindex="0" [data-until="MS" title="Until …"]>TEXT</span>]
//   </li>
//
// (one line, the spans separated by single spaces, the dot right before
// the name). `itemView` decides what a line shows (no DOM, tested in
// Node, as is `itemHtml`, the same line as text); `drawItem` makes an
// element show it, changing only what changed, so that a focused custom
// status keeps its focus. `readItem` reads a rendered line back.

import { lastSeenPhrase } from './last_seen.js';
import {
  OFFLINE, customShows, devicesText, readDevices, readStatus, statusText, untilText,
} from './status.js';

/** What the line of `username`, whose record is `person`, shows at `now`. */
export function itemView(username, person, now, timeZone) {
  const status = person.status;
  const here = status !== OFFLINE;
  const devices = here ? (person.devices ?? []) : [];
  const custom = here && customShows(person.custom ?? null, now) ? person.custom : null;
  return {
    username,
    status,
    statusText: statusText(status),
    devices: devices.length === 0 ? null : devices.join(' '),
    devicesText: devicesText(devices),
    lastSeen: status === OFFLINE && Number.isFinite(person.lastSeenAt) ? String(person.lastSeenAt) : null,
    seen: status === OFFLINE ? lastSeenPhrase(person.lastSeenAt ?? null, now) : '',
    custom: custom === null ? null : {
      text: custom.text,
      until: custom.until === null ? null : String(custom.until),
      title: custom.until === null ? null : untilText(custom.until, now, timeZone),
    },
  };
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '/': '&#x2F;' };

/** Escapes text as Tera's `escape_html` does, which the server uses. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"'/]/g, (c) => ESCAPES[c]);
}

function attrs(pairs) {
  return pairs.filter(([, value]) => value !== null && value !== '')
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`).join('');
}

/** The line of `view` as HTML, exactly as the server writes it (without the newline). */
export function itemHtml(view) {
  const custom = view.custom === null ? '' : ` <span class="user-custom" tabindex="0"${attrs([
    ['data-until', view.custom.until], ['title', view.custom.title]])}>${escapeHtml(view.custom.text)}</span>`;
  return `<li class="user"${attrs([['data-username', view.username], ['data-status', view.status],
    ['data-devices', view.devices], ['data-last-seen', view.lastSeen]])}>`
    + `<span class="user-dot" role="img" aria-label="${escapeHtml(view.statusText)}"></span>`
    + `<span class="user-name">${escapeHtml(view.username)}</span> `
    + `<span class="user-status">${escapeHtml(view.statusText)}</span> `
    + `<span class="user-devices"${attrs([['aria-label', view.devicesText]])}></span> `
    + `<span class="user-seen">${escapeHtml(view.seen)}</span>${custom}</li>`;
}

function setAttr(element, name, value) {
  if (value === null || value === '') {
    element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

function setText(element, text) {
  if (element.textContent !== text) { element.textContent = text; }
}

// The spans of a line in order, made if missing.
function parts(li) {
  const doc = li.ownerDocument;
  const found = {};
  for (const name of ['dot', 'name', 'status', 'devices', 'seen']) {
    found[name] = li.querySelector(`:scope > .user-${name}`);
  }
  if (Object.values(found).some((el) => el === null)) {
    const span = (name) => {
      const el = doc.createElement('span');
      el.className = `user-${name}`;
      return el;
    };
    const dot = span('dot');
    dot.setAttribute('role', 'img');
    const custom = li.querySelector(':scope > .user-custom');
    li.replaceChildren(dot, span('name'), ' ', span('status'), ' ', span('devices'), ' ', span('seen'));
    if (custom) { li.append(' ', custom); }
    return parts(li);
  }
  return found;
}

/** Makes `li` (a new `<li>` or a drawn line) show `view`. */
export function drawItem(li, view) {
  li.className = 'user';
  setAttr(li, 'data-username', view.username);
  setAttr(li, 'data-status', view.status);
  // In the contract's order, as the server writes them.
  li.removeAttribute('data-devices');
  li.removeAttribute('data-last-seen');
  setAttr(li, 'data-devices', view.devices);
  setAttr(li, 'data-last-seen', view.lastSeen);
  const { dot, name, status, devices, seen } = parts(li);
  setAttr(dot, 'aria-label', view.statusText);
  setText(name, view.username);
  setText(status, view.statusText);
  setAttr(devices, 'aria-label', view.devicesText);
  setText(seen, view.seen);
  let custom = li.querySelector(':scope > .user-custom');
  if (view.custom === null) {
    if (custom) {
      custom.previousSibling?.remove(); // the space before it
      custom.remove();
    }
    return li;
  }
  if (!custom) {
    custom = li.ownerDocument.createElement('span');
    custom.className = 'user-custom';
    custom.setAttribute('tabindex', '0');
    li.append(' ', custom);
  }
  custom.removeAttribute('data-until');
  custom.removeAttribute('title');
  setAttr(custom, 'data-until', view.custom.until);
  setAttr(custom, 'title', view.custom.title);
  setText(custom, view.custom.text);
  return li;
}

/** A new line of the list, in `doc`, showing `view`. */
export function makeItem(doc, view) {
  return drawItem(doc.createElement('li'), view);
}

/** Reads a line back into `{ username, status, lastSeenAt, custom, devices }`, or null. */
export function readItem(li) {
  const username = li.dataset.username;
  if (username === undefined) { return null; }
  const status = readStatus(li.dataset.status) ?? OFFLINE;
  const time = (text) => (text === undefined || text === '' || !Number.isFinite(Number(text)) ? null : Number(text));
  const customEl = li.querySelector(':scope > .user-custom');
  const custom = customEl && customEl.textContent !== ''
    ? { text: customEl.textContent, until: time(customEl.dataset.until) } : null;
  return {
    username,
    status,
    lastSeenAt: time(li.dataset.lastSeen),
    custom,
    devices: readDevices((li.dataset.devices ?? '').split(' ')),
  };
}
