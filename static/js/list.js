// list.js: draws the user list (#user-list) and the lines beside it, the
// online count and the connection line. It decides nothing: it draws the
// changes PresenceState returns, in the order state.js defines.
//
// A line drawn here has the markup src/pages/list_items.rs writes (see
// item.js), so the lines the server rendered and the ones added later look
// alike (and `readRendered` can read the former back). All text is set
// with textContent: no HTML is ever built from strings.

import { drawItem, itemView, makeItem, readItem } from './item.js';
import { lastSeenPhrase } from './last_seen.js';
import { insertionIndex } from './state.js';
import { OFFLINE } from './status.js';

// What the connection line says in each phase of the socket (socket.js).
const CONNECTION_TEXT = { reconnecting: 'Reconnecting…', closed: 'You have been logged out.' };

// The ordering key of a drawn line.
function entryOf(li) {
  return { username: li.dataset.username, status: li.dataset.status };
}

// A time kept in data-last-seen, or null.
function readTime(text) {
  const at = text === undefined ? NaN : Number(text);
  return Number.isFinite(at) ? at : null;
}

export class ListView {
  #list;
  #count;
  #connection;
  #items = new Map(); // username -> its <li>, for drawn users

  constructor({ list, count, connection }) {
    this.#list = list;
    this.#count = count;
    this.#connection = connection;
  }

  /**
   * Reads back the lines the server rendered, as the state's starting
   * point: `[{username, status, lastSeenAt, custom, devices}]`.
   */
  readRendered() {
    const people = [];
    for (const li of this.#list.querySelectorAll('li.user')) {
      const person = readItem(li);
      if (person === null) { continue; }
      this.#items.set(person.username, li);
      people.push(person);
      // The server words an expiry in GMT, the reader's own time is
      // better; a line without a dot comes from a server older than the
      // rich statuses.
      if (person.custom?.until || !li.querySelector('.user-dot')) {
        drawItem(li, itemView(person.username, person, Date.now()));
      }
    }
    return people;
  }

  /**
   * Draws changes from PresenceState, as of `now` (Unix ms). A new line
   * goes to its place in the order; a line already drawn is redrawn where
   * it is. The list pages and the page watches what is on screen, so a
   * line that jumped to another part of the order (perhaps one not even
   * loaded) would leave the reader's eyes and the screen: the order is
   * the server's again with the next listing.
   */
  render(changes, now) {
    for (const change of changes) {
      const view = itemView(change.username, change, now);
      const li = this.#items.get(change.username);
      if (li) {
        drawItem(li, view);
      } else {
        const made = makeItem(document, view);
        this.#items.set(change.username, made);
        this.#place(made);
      }
    }
  }

  /** Rewords every "last seen" as of `now`: "just now" ages into "1 minute ago". */
  refreshSeen(now) {
    for (const li of this.#items.values()) {
      if (li.dataset.status === OFFLINE) {
        li.querySelector('.user-seen').textContent = lastSeenPhrase(readTime(li.dataset.lastSeen), now);
      }
    }
  }

  /** Empties the list, before a new listing is drawn. */
  clear() {
    this.#items.clear();
    this.#list.replaceChildren();
  }

  showCount(count) {
    if (this.#count) { this.#count.textContent = String(count); }
  }

  /** Shows the socket's phase: 'connecting', 'live', 'reconnecting' or 'closed'. */
  showConnection(phase) {
    if (!this.#connection) { return; }
    this.#connection.dataset.state = phase;
    this.#connection.textContent = CONNECTION_TEXT[phase] ?? '';
    // Statuses shown while reconnecting may be out of date: dim them.
    this.#list.classList.toggle('stale', phase === 'reconnecting');
  }

  /** Moves keyboard focus to the list, e.g. when "Show more" disappears. */
  focus() { this.#list.focus(); }

  // Inserts a new line at its place in the order.
  #place(li) {
    const entry = entryOf(li);
    const children = this.#list.children;
    const at = insertionIndex(children.length, (i) => entryOf(children[i]), entry);
    this.#list.insertBefore(li, children[at] ?? null);
  }
}
