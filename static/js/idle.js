// idle.js: whether this page is active or idle, as the server wants to
// know it (issue 13): a page is idle after `idleMs` without input, which
// a hidden page never gets; input, or the page being shown again, makes
// it active at once. Only transitions are worth a frame: the tracker
// answers each event with the frame to send, or null, so typing costs a
// timestamp and never a frame. No DOM and no timers of its own: the page
// feeds it events and asks it when to look again (`checkAt`), and
// tests/js/ drives it by hand.

export const ACTIVE = 'active';
export const IDLE = 'idle';

/** The client frame that reports `state`. */
export function activityFrame(state) {
  return { type: 'activity', state };
}

export class IdleTracker {
  #idleMs;
  #state = ACTIVE; // a socket starts active on the server too
  #lastInput;

  /** `idleMs` is PRESENCE_IDLE_MS, handed to the page; `now` is Unix ms. */
  constructor(idleMs, now) {
    this.#idleMs = idleMs;
    this.#lastInput = now;
  }

  /** 'active' or 'idle'. */
  get state() { return this.#state; }

  /** When `check` may next find the page idle (Unix ms), or null while idle. */
  get checkAt() {
    return this.#state === ACTIVE ? this.#lastInput + this.#idleMs : null;
  }

  /** Input in the page (a key, the pointer, a touch, a scroll) at `now`. */
  input(now) {
    this.#lastInput = Math.max(this.#lastInput, now);
    if (this.#state === ACTIVE) { return null; }
    this.#state = ACTIVE;
    return activityFrame(ACTIVE);
  }

  /**
   * The page was hidden or shown at `now`. Shown is input: the person is
   * looking at it. Hidden changes nothing yet; no input follows, so the
   * page turns idle `idleMs` after its last input at the latest.
   */
  visibility(hidden, now) {
    return hidden ? this.check(now) : this.input(now);
  }

  /** Looks at the clock: the idle frame if the page just became idle, else null. */
  check(now) {
    if (this.#state === IDLE || now - this.#lastInput < this.#idleMs) { return null; }
    this.#state = IDLE;
    return activityFrame(IDLE);
  }

  /** The frame a new socket needs to hear this page's state. */
  current() {
    return activityFrame(this.#state);
  }
}

/** Reads `data-idle-ms`: a positive number of ms, or the server's default (5 minutes). */
export function readIdleMs(value) {
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : 5 * 60 * 1000;
}
