// directory.js: the search box and the "Show more" button. Both page
// through GET /api/users?q=&after= (src/api.rs): a search replaces the
// listing with its first page, "Show more" appends the next one. The users
// go through PresenceState, which decides their status, and are drawn by
// ListView. Answers that arrive after a newer search are dropped.

import { fold } from './state.js';

const SEARCH_DELAY_MS = 250; // typing pauses this long before a search
const NAME = /^[\p{Alphabetic}\p{N}@.+\-_]*$/u; // src/auth/username.rs

export class Directory {
  #form;
  #input;
  #status;
  #more;
  #state;
  #list;
  #onLoggedOut;
  #next = null; // the cursor of the listing's next page
  #generation = 0; // bumped per listing; late answers are dropped
  #timer = null;

  /**
   * Elements: `form`, `input`, `status` (the search's status line), `more`
   * (the button); each may be missing. `onLoggedOut()` is called on a 401.
   */
  constructor({ form, input, status, more }, { state, list, onLoggedOut }) {
    this.#form = form;
    this.#input = input;
    this.#status = status;
    this.#more = more;
    this.#state = state;
    this.#list = list;
    this.#onLoggedOut = onLoggedOut;
  }

  /** Wires the button and the search box; the search needs the script, so it is shown only now. */
  start() {
    if (this.#more) {
      this.#setNext(this.#more.dataset.next);
      this.#more.addEventListener('click', () => this.#showMore());
    }
    if (this.#form && this.#input) {
      this.#form.hidden = false;
      this.#form.addEventListener('submit', (event) => {
        event.preventDefault();
        window.clearTimeout(this.#timer);
        this.#search(this.#input.value);
      });
      this.#input.addEventListener('input', () => {
        window.clearTimeout(this.#timer);
        this.#timer = window.setTimeout(() => this.#search(this.#input.value), SEARCH_DELAY_MS);
      });
    }
  }

  /**
   * Loads the current listing again, if it holds every match: after the
   * socket was away, accounts made meanwhile belong in it, and nothing
   * else would bring them (a watching socket's snapshot names nobody). A
   * listing that pages is left as the reader paged it.
   */
  refresh() {
    if (this.#state.complete) { this.#search(this.#state.query); }
  }

  #fetchPage(q, after) {
    const params = new URLSearchParams({ q });
    if (after) { params.set('after', after); }
    return window.fetch(`/api/users?${params}`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    }).then((response) => {
      if (response.status === 401) { this.#onLoggedOut(); }
      if (!response.ok) { throw new Error(`HTTP ${response.status}`); }
      return response.json();
    });
  }

  #setNext(cursor) {
    this.#next = typeof cursor === 'string' && cursor !== '' ? cursor : null;
    this.#state.setComplete(this.#next === null);
    if (this.#more) { this.#more.hidden = this.#next === null; }
  }

  #addUsers(page) {
    this.#list.render(this.#state.addUsers(page.users), Date.now());
    this.#list.showCount(this.#state.onlineCount);
    this.#setNext(page.next);
  }

  #say(text) {
    if (this.#status) { this.#status.textContent = text; }
  }

  // Replaces the list with the first page of `raw`, or with the first
  // page of everyone (online first) when it is empty.
  #search(raw) {
    const q = fold(raw);
    if (!NAME.test(q)) {
      this.#say('Usernames contain only letters, digits and @ . + - _');
      return;
    }
    const mine = (this.#generation += 1);
    this.#state.listingRequested();
    this.#fetchPage(q, null).then((page) => {
      if (mine !== this.#generation) { return; }
      this.#list.clear();
      this.#list.render(this.#state.startListing(q), Date.now());
      this.#addUsers(page);
      this.#list.render(this.#state.listingLoaded(), Date.now());
      const shown = raw.trim();
      if (q === '') {
        this.#say('');
      } else if (this.#state.listedCount === 0) {
        this.#say(`No users start with “${shown}”.`);
      } else {
        this.#say(`Users starting with “${shown}”${this.#next ? ', more below.' : '.'}`);
      }
    }).catch(() => {
      if (mine === this.#generation) { this.#say('The search failed. Try again in a moment.'); }
    });
  }

  #showMore() {
    if (!this.#next) { return; }
    const mine = this.#generation;
    const query = this.#state.query;
    this.#more.disabled = true;
    this.#fetchPage(query, this.#next).then((page) => {
      if (mine !== this.#generation) { return; }
      this.#addUsers(page);
      if (this.#next === null) { this.#say(query === '' ? 'That is everyone.' : 'No more matches.'); }
    }).catch(() => {
      this.#say('Could not load more users. Try again in a moment.');
    }).then(() => {
      this.#more.disabled = false;
      // The focused button just disappeared: keep focus somewhere useful.
      if (this.#more.hidden) { this.#list.focus(); }
    });
  }
}
