// watching.js: which users the page asks its socket about. The page
// watches the users whose lines are on screen or near it (the protocol's
// `watch`, src/live/hub/watch.rs): its socket then brings news of those
// users only, and the counts of everyone, so what a page costs the server
// follows what it shows, not how many people are online. No DOM here:
// on_screen.js says what is on screen, and tests/js/ runs this in Node.

/** The most names one `watch` may carry; the server refuses more. */
export const MAX_WATCHED = 500;

/** What one socket has been told to watch. */
export class WatchList {
  #sent = null; // the names last sent on this socket, sorted and joined

  /**
   * Tells the socket to watch `names` (in list order; the first
   * MAX_WATCHED of them) through `send(frame)`, which returns whether the
   * frame went. Nothing is sent when the socket already watches exactly
   * these names. Returns whether a frame went.
   */
  watch(names, send) {
    const chosen = [...new Set(names)].slice(0, MAX_WATCHED);
    const key = [...chosen].sort().join('\n');
    if (key === this.#sent) { return false; }
    const went = send({ type: 'watch', usernames: chosen });
    if (went) { this.#sent = key; }
    return went;
  }

  /** A new socket: it watches nothing until told. */
  reset() { this.#sent = null; }
}
