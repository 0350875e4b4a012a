// announce.js: tells screen-reader users about the status changes of listed
// users, through the polite live region (#announcer). Changes are gathered
// for a second so that a burst (a server restart brings hundreds back) is
// one short sentence rather than a queue of them. No DOM beyond the one
// element it is given, so tests/js/ can run it with a stand-in.

/** How long changes are gathered before they are announced. */
export const GATHER_MS = 1000;

/** Beyond this many changes, only their number is announced. */
const SPELLED_OUT = 3;

const ENDINGS = {
  online: ' is online',
  away: ' is away',
  dnd: ' is in do not disturb',
  offline: ' went offline',
  joined: ' joined',
};

/** The sentence for one change's `news` (see PresenceState), or null. */
export function sentence(username, news) {
  const ending = ENDINGS[news];
  return ending === undefined ? null : username + ending;
}

/** What the region says for `count` changes, the first of which are `sentences`. */
export function summary(sentences, count) {
  return count <= SPELLED_OUT ? `${sentences.join('. ')}.` : `${count} people changed status.`;
}

export class Announcer {
  #region;
  #schedule;
  #sentences = []; // at most SPELLED_OUT: beyond that only the count is said
  #count = 0;
  #waiting = false;

  /** `schedule(fn, ms)` defaults to setTimeout; tests pass their own. */
  constructor(region, schedule = (fn, ms) => setTimeout(fn, ms)) {
    this.#region = region;
    this.#schedule = schedule;
  }

  /** Announces the news among PresenceState's changes, within GATHER_MS. */
  tell(changes) {
    if (!this.#region) { return; }
    for (const { username, news } of changes) {
      const text = sentence(username, news);
      if (text === null) { continue; }
      this.#count += 1;
      if (this.#sentences.length < SPELLED_OUT) { this.#sentences.push(text); }
    }
    if (this.#count > 0 && !this.#waiting) {
      this.#waiting = true;
      this.#schedule(() => this.#flush(), GATHER_MS);
    }
  }

  #flush() {
    this.#region.textContent = summary(this.#sentences, this.#count);
    this.#sentences = [];
    this.#count = 0;
    this.#waiting = false;
  }
}
