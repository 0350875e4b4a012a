// socket.js: the WebSocket to /users/ (src/live/session/). It connects,
// hands every parsed frame on, reconnects after the delay PresenceState
// computes (exponential backoff with full jitter), and starts over when a
// socket goes silent, because a socket on a dead network can stay "open"
// for minutes. What the frames mean is state.js's business, not this
// module's.

const PING_EVERY_MS = 15000;
const SILENCE_LIMIT_MS = 40000; // two missed pongs and then some
// Failing this many times in a row may mean the session is gone.
const CHECK_SESSION_AFTER = 3;
// The close code the server uses when this login logged out (maybe in
// another tab): the page is stale, and reconnecting would only get 401.
const LOGGED_OUT = 1000;
// The close code of a server going away (a rolling restart): other nodes
// are up, so the page reconnects at once, not after the backoff, with a
// little jitter so a node's pages do not all arrive in the same instant.
const GOING_AWAY = 1001;
export const GOING_AWAY_JITTER_MS = 250;

/** The delay before reconnecting after a 1001, given `random()` in [0, 1). */
export function goingAwayDelay(random) {
  return Math.floor(random() * GOING_AWAY_JITTER_MS);
}

export class LiveSocket {
  #state;
  #onFrame;
  #onPhase;
  #onLoggedOut;
  #onJoined;
  #socket = null;
  #lastHeard = 0;
  #phase = null;

  /**
   * `state` is the PresenceState (it counts failures and knows when the
   * page is in sync); `onFrame(frame)` gets every parsed frame;
   * `onPhase(phase)` hears 'connecting', 'live', 'reconnecting' and
   * 'closed'; `onLoggedOut()` is called when the session is over;
   * `onJoined()` when a socket got its snapshot, from when the server
   * takes its frames (what it was told before is lost with the old one).
   */
  constructor({ state, onFrame, onPhase, onLoggedOut, onJoined = () => {} }) {
    this.#state = state;
    this.#onFrame = onFrame;
    this.#onPhase = onPhase;
    this.#onLoggedOut = onLoggedOut;
    this.#onJoined = onJoined;
  }

  /**
   * Sends a client frame (an object) if the socket is live; returns
   * whether it went. Frames are not queued: `onJoined` restates what a
   * new socket needs to know.
   */
  send(frame) {
    const ws = this.#socket;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.#phase !== 'live') { return false; }
    ws.send(JSON.stringify(frame));
    return true;
  }

  start() {
    this.#setPhase('connecting');
    window.setInterval(() => this.#watchdog(), PING_EVERY_MS);
    this.#connect();
  }

  #setPhase(phase) {
    if (phase === this.#phase) { return; }
    this.#phase = phase;
    this.#onPhase(phase);
  }

  #connect() {
    const scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    // `?watch`: the page watches what it shows from the first frame, so
    // its snapshot names nobody, however many are online.
    const ws = new WebSocket(`${scheme}${window.location.host}/users/?watch`);
    this.#socket = ws;
    ws.onopen = () => { this.#lastHeard = Date.now(); };
    ws.onmessage = (event) => {
      if (ws !== this.#socket) { return; }
      this.#lastHeard = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      const wasSynced = this.#state.synced;
      this.#onFrame(frame);
      // The first snapshot on a socket brings the page in sync.
      if (this.#state.synced) { this.#setPhase('live'); }
      if (!wasSynced && this.#state.synced) { this.#onJoined(); }
    };
    ws.onclose = (event) => {
      if (ws !== this.#socket) { return; }
      if (event.code === LOGGED_OUT) {
        this.#socket = null;
        this.#setPhase('closed');
        this.#onLoggedOut();
        return;
      }
      if (event.code === GOING_AWAY) {
        // Not a failure: the next attempt (if it fails) backs off as usual.
        this.#socket = null;
        this.#state.connectionLost(Date.now());
        this.#setPhase('reconnecting');
        window.setTimeout(() => this.#connect(), goingAwayDelay(Math.random));
        return;
      }
      this.#lost();
    };
  }

  #lost() {
    this.#socket = null;
    this.#state.connectionLost(Date.now());
    this.#setPhase('reconnecting');
    if (this.#state.failedAttempts >= CHECK_SESSION_AFTER) { this.#checkStillLoggedIn(); }
    window.setTimeout(() => this.#connect(), this.#state.nextRetryDelay(Math.random));
  }

  // Pings, and starts over when nothing at all has come back for a while.
  #watchdog() {
    const ws = this.#socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) { return; }
    if (Date.now() - this.#lastHeard > SILENCE_LIMIT_MS) {
      this.#lost();
      ws.close();
      return;
    }
    ws.send('{"type":"ping"}');
  }

  #checkStillLoggedIn() {
    window.fetch('/api/users?q=', { credentials: 'same-origin' }).then((response) => {
      if (response.status === 401) { this.#onLoggedOut(); }
    }, () => { /* the server is still away; keep retrying */ });
  }
}
