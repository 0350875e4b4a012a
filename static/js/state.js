// state.js: what the user list knows, as plain data, and the rules that
// change it. There is no DOM here, on purpose: applying a snapshot and then
// diffs, ordering the list and backing off after a dropped socket are the
// parts worth testing, and tests/js/ runs them in Node without a browser.
// The DOM modules only draw the changes these methods return.
//
// The page watches (src/live/hub/watch.rs): its socket brings news only of
// the users it shows, and the counts of everyone. So the state keeps
// records of the listed users and of the viewer only, a user enters the
// listing through the directory's pages (a status frame never lists
// anyone), and the online count is the server's. The one exception is a
// new account: a listing that holds every match, with no page left to
// load, takes in a `user_added` (which every socket gets) and anyone
// present it lacks (an account made while the socket was away).
//
// Each user the page knows is a record `{ status, lastSeenAt, custom,
// devices }` in one Map (see wire.js, which reads the wire formats into
// records at their boundary; the seed's `is_logged_in` becomes a status
// there). The statuses and their words are status.js's.

import { INVISIBLE, OFFLINE, ONLINE, isPresent, listRank } from './status.js';
import { readFrame, readListedUser } from './wire.js';

export { OFFLINE, ONLINE, isPresent, readFrame };

/** Reconnection: the first retry waits up to RETRY_BASE_MS, doubling to RETRY_CAP_MS. */
export const RETRY_BASE_MS = 500;
export const RETRY_CAP_MS = 30000;

/** The form names are compared in; the server folds the same way. */
export function fold(name) {
  return name.trim().toLowerCase();
}

/**
 * Whether list entry `a` ({username, status}) comes before `b`: online
 * users first, then away and do not disturb, then offline, each part by
 * folded name. The server renders the same order.
 */
export function precedes(a, b) {
  const rankA = listRank(a.status);
  const rankB = listRank(b.status);
  if (rankA !== rankB) { return rankA < rankB; }
  return fold(a.username) < fold(b.username);
}

/** An offline user's record, less when they were last seen. */
const EMPTY = Object.freeze({ status: OFFLINE, custom: null, devices: [] });
// The most accounts kept from `user_added` while a listing loads.
const MAX_ADDED_WHILE_LOADING = 500;

// Whether two records show the same custom status and devices.
function sameLook(a, b) {
  return a.custom?.text === b.custom?.text && a.custom?.until === b.custom?.until
    && a.devices.join(' ') === b.devices.join(' ');
}

/**
 * Where `entry` goes among `count` sorted entries read with `entryAt(i)`:
 * a binary search, because thousands of users can be online.
 */
export function insertionIndex(count, entryAt, entry) {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (precedes(entryAt(mid), entry)) { lo = mid + 1; } else { hi = mid; }
  }
  return lo;
}

/**
 * How long to wait before reconnection attempt `attempt` (0 is the first):
 * exponential backoff with full jitter, so that after a server restart
 * thousands of tabs spread their returns over the whole window instead of
 * arriving in the same instant. `random` returns a number in [0, 1).
 */
export function retryDelay(attempt, random) {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt);
  return random() * ceiling;
}

/**
 * The page's knowledge of the users it lists, and of the counts.
 *
 * Every mutating method returns the changes to draw: one
 * `{ username, status, lastSeenAt, news }` per listed user whose line must
 * be drawn or redrawn, where `news` is what to announce: null, a new
 * status, or 'joined'.
 *
 * It holds records for listed users and the viewer only, so it grows with
 * what the page shows, not with the number of users online.
 */
export class PresenceState {
  #people = new Map(); // username -> frozen { status, lastSeenAt, custom, devices }
  #listed = new Set(); // usernames the list shows
  #count; // users online, away or in do not disturb: the server's word
  #query = ''; // the folded search the list shows; '' is everyone
  #complete = false; // the listing holds every match: no page is left
  #synced = false; // a snapshot arrived on the current socket
  #droppedAt = null; // when the socket was lost, if it is
  #attempt = 0; // failed connections since the last snapshot
  #viewer; // the only user who may be seen as invisible
  #addedWhileLoading = null; // names `user_added` brought while a listing loads

  /**
   * Starts from the lines the server rendered, `[{username, ...record}]`,
   * for the page of `viewer`, and the online count it rendered.
   */
  constructor(rendered = [], viewer = null, count = 0) {
    this.#viewer = viewer;
    this.#count = count;
    for (const { username, ...record } of rendered) {
      this.#listed.add(username);
      this.#put(username, { ...EMPTY, ...record });
    }
  }

  /** Users online, away or in do not disturb, as the server last counted them. */
  get onlineCount() { return this.#count; }
  /** The listed users, in no particular order: the names to watch. */
  get listedNames() { return [...this.#listed]; }
  get listedCount() { return this.#listed.size; }
  get query() { return this.#query; }
  /** Whether the socket's statuses are current (a snapshot came since it connected). */
  get synced() { return this.#synced; }
  /** Connections that failed since the last snapshot. */
  get failedAttempts() { return this.#attempt; }

  /** What the page knows of `username`, or undefined. */
  person(username) { return this.#people.get(username); }

  /** The listed users in the list's order, as the server would render them now. */
  listing() {
    const entries = [...this.#listed].map((username) => ({ username, ...this.#people.get(username) }));
    return entries.sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
  }

  /** Says whether the listing holds every match (no next page to load). */
  setComplete(complete) { this.#complete = complete; }
  /** Whether the listing holds every match. */
  get complete() { return this.#complete; }

  /** Whether `username` belongs in the current listing. */
  matches(username) { return fold(username).startsWith(this.#query); }

  /** Applies a parsed socket frame at time `now` (Unix ms). */
  applyFrame(frame, now) {
    const event = readFrame(frame);
    if (event === null || event.kind === 'error') { return []; }
    if (event.kind === 'snapshot') { return this.#applySnapshot(event, now); }
    if (event.kind === 'counts') {
      this.#count = event.online + event.away + event.dnd;
      return [];
    }
    if (event.kind === 'added') { return this.#addUser(event.username); }
    const { username, lastSeenAt, ...rich } = event;
    // Offline without a time: they left now, unless they were offline
    // already (a watch's answer about someone this server never saw).
    const known = this.#people.get(username);
    const stillOffline = known?.status === OFFLINE && rich.status === OFFLINE;
    return this.#setStatus(username, rich, lastSeenAt ?? (stillOffline ? known.lastSeenAt : now));
  }

  /** The socket was lost at `now`. */
  connectionLost(now) {
    this.#synced = false;
    if (this.#droppedAt === null) { this.#droppedAt = now; }
  }

  /** The delay before the next reconnection attempt; counts the attempt. */
  nextRetryDelay(random) {
    const delay = retryDelay(this.#attempt, random);
    this.#attempt += 1;
    return delay;
  }

  /**
   * A listing is being fetched. Its page may have been read before an
   * account announced meanwhile was made, so such accounts are kept for
   * `listingLoaded`.
   */
  listingRequested() { this.#addedWhileLoading = new Set(); }

  /**
   * The requested listing is in: the accounts announced while it loaded
   * are taken in, as `user_added` would have (when it holds every match).
   */
  listingLoaded() {
    const added = this.#addedWhileLoading ?? new Set();
    this.#addedWhileLoading = null;
    return [...added].flatMap((username) => this.#addUser(username));
  }

  /**
   * Empties the listing, for the users matching `query` (folded; '' is
   * everyone), which the directory's pages (`addUsers`) then bring. Only
   * the viewer's record stays.
   */
  startListing(query) {
    this.#query = query;
    this.#listed.clear();
    for (const username of [...this.#people.keys()]) {
      if (username !== this.#viewer) { this.#forget(username); }
    }
    return [];
  }

  /** Lists the users of a directory page (raw JSON from /api/users). */
  addUsers(users) {
    if (!Array.isArray(users)) { return []; }
    const changes = [];
    for (const user of users.map(readListedUser)) {
      if (user === null) { continue; }
      // What the socket said of a user the page knows is newer than the
      // page's word while it is in sync; anyone else is as the page says,
      // until the watch that follows answers with their status.
      const { username, lastSeenAt, ...rich } = user;
      const known = this.#people.get(username);
      const record = this.#synced && known !== undefined ? known : rich;
      this.#listed.add(username);
      const person = this.#put(username, { ...record, lastSeenAt });
      changes.push({ username: user.username, ...person, news: null });
    }
    return changes;
  }

  // The snapshot is the truth as of now: whatever the page missed while it
  // was away (or between rendering and connecting) is corrected here. A
  // watching socket's snapshot names nobody: the answer to the page's
  // first `watch` corrects the lines on screen instead, and the others
  // when they come on screen.
  #applySnapshot({ online, lastSeen, watching }, now) {
    if (watching) {
      this.#synced = true;
      this.#attempt = 0;
      this.#droppedAt = null;
      return [];
    }
    // Without a time from the server, users who left did so around when
    // this page lost its socket.
    const leftAt = this.#droppedAt ?? now;
    const changes = [];
    for (const [username, person] of [...this.#people]) {
      if (online.has(username)) { continue; }
      if (isPresent(person.status)) {
        changes.push(...this.#setStatus(username, EMPTY, lastSeen.get(username) ?? leftAt));
      } else if (lastSeen.has(username)) {
        changes.push(...this.#setStatus(username, EMPTY, lastSeen.get(username)));
      }
    }
    for (const [username, rich] of online) { changes.push(...this.#setStatus(username, rich, null)); }
    this.#synced = true;
    this.#attempt = 0;
    this.#droppedAt = null;
    return changes;
  }

  // One user's new status, custom status and devices (`rich`);
  // `lastSeenAt` counts only for offline users.
  #setStatus(username, rich, lastSeenAt) {
    // Only the viewer may see someone invisible: themselves.
    const { status, custom, devices } = rich.status === INVISIBLE && username !== this.#viewer ? EMPTY : rich;
    const before = this.#people.get(username);
    // Someone present whom a listing of every match lacks is new since
    // it was loaded: take them in, as `user_added` would have.
    const newlyListed = this.#complete && !this.#listed.has(username) && isPresent(status)
      && this.matches(username);
    if (newlyListed) { this.#listed.add(username); }
    const listed = this.#listed.has(username);
    if (!listed && username !== this.#viewer) {
      this.#forget(username);
      return [];
    }
    const at = status === OFFLINE ? lastSeenAt : (before?.lastSeenAt ?? null);
    const person = this.#put(username, { status, lastSeenAt: at, custom, devices });
    if (!listed) { return []; }
    const changed = newlyListed || before === undefined || before.status !== status;
    if (!changed && before.lastSeenAt === at && sameLook(before, person)) { return []; }
    return [{ username, ...person, news: changed ? status : null }];
  }

  #addUser(username) {
    const loading = this.#addedWhileLoading;
    if (loading && loading.size < MAX_ADDED_WHILE_LOADING) { loading.add(username); }
    // A listing still paging would place them out of turn: they are
    // found by its later pages instead.
    if (!this.#complete || this.#listed.has(username) || !this.matches(username)) { return []; }
    // Known only if online already, which a new account hardly is.
    const person = this.#put(username, this.#people.get(username) ?? { ...EMPTY, lastSeenAt: null });
    this.#listed.add(username);
    return [{ username, ...person, news: 'joined' }];
  }

  // Stores a record (frozen: callers may keep it) and returns it.
  #put(username, record) {
    const person = Object.freeze({ ...record });
    this.#people.set(username, person);
    return person;
  }

  #forget(username) {
    this.#people.delete(username);
  }
}
