// on_screen.js: which lines of the user list are on screen, or within
// half a screen of it, so that the page watches those users and no
// others (watching.js). An IntersectionObserver follows each line; a
// MutationObserver follows lines as the list adds, moves and drops them.
// A burst of changes (a scroll, a page of users) is reported once.

const SETTLE_MS = 100; // changes this close together are reported once

export class OnScreen {
  #list;
  #onChange;
  #visible = new Set(); // usernames of the lines on screen or near it
  #timer = null;
  #lines;

  /** Follows the `li.user` lines of `list`; calls `onChange(names)` as they come and go. */
  constructor(list, onChange) {
    this.#list = list;
    this.#onChange = onChange;
    this.#lines = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const name = entry.target.dataset.username;
        if (entry.isIntersecting) { this.#visible.add(name); } else { this.#visible.delete(name); }
      }
      this.#changed();
    }, { rootMargin: '50% 0px' });
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.removedNodes) {
          if (node.dataset?.username === undefined) { continue; }
          this.#lines.unobserve(node);
          if (!node.isConnected) { this.#visible.delete(node.dataset.username); }
        }
        for (const node of record.addedNodes) {
          if (node.dataset?.username !== undefined) { this.#lines.observe(node); }
        }
      }
      this.#changed();
    }).observe(list, { childList: true });
    for (const line of list.querySelectorAll('li.user')) { this.#lines.observe(line); }
  }

  /** The usernames on screen or near it, in list order. */
  names() {
    return [...this.#list.children]
      .map((line) => line.dataset.username)
      .filter((name) => name !== undefined && this.#visible.has(name));
  }

  #changed() {
    window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => this.#onChange(this.names()), SETTLE_MS);
  }
}
