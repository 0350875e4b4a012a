// presence.js: the entry module of the user list at /, loaded with
// <script type="module"> (no build step; the Content-Security-Policy allows
// scripts from this origin only, and nothing here is inline). It finds the
// page's elements and wires the modules together:
//
// - state.js      who is online and listed, and the rules (no DOM; tested
//                 in Node by tests/js/)
// - last_seen.js  "last seen 5 minutes ago" (no DOM; tested in Node)
// - list.js       draws the list, the online count and the connection line
// - announce.js   the polite live region for screen readers
// - status.js     the words of statuses, devices and expiries (no DOM)
// - wire.js       frames and API users read into records (no DOM)
// - item.js       one line of the list, the server's markup (view in Node)
// - idle.js       active or idle, as frames on transitions only (no DOM)
// - menu.js       the viewer's own status menu in the header
// - socket.js     the /users/ WebSocket: reconnects and watches for silence
// - directory.js  search and "Show more" through /api/users
// - watching.js   what the socket is told to watch (no DOM; tested in Node)
// - on_screen.js  which lines are on screen
//
// The server renders the first page of everyone, online users first; the
// state starts from those lines, "Show more" and the search bring more,
// and the socket keeps the lines on screen live: the page watches exactly
// those users, and the counts say how many are online. It keeps the URL the page has always loaded, /static/presence.js.

import { Announcer } from './announce.js';
import { Directory } from './directory.js';
import { IdleTracker, readIdleMs } from './idle.js';
import { ListView } from './list.js';
import { StatusMenu } from './menu.js';
import { OnScreen } from './on_screen.js';
import { LiveSocket } from './socket.js';
import { PresenceState } from './state.js';
import { readCustom, readManual } from './status.js';
import { readFrame } from './wire.js';
import { WatchList } from './watching.js';

// "last seen" phrases are reworded this often as time passes.
const SEEN_REFRESH_MS = 30000;
// The input that makes a page active. Listened to passively; each event
// costs a timestamp, and only a transition costs a frame.
const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'scroll', 'focus'];

// Reports this page's activity through `socket` (idle.js decides when).
function trackActivity(idleMs, socket) {
  const tracker = new IdleTracker(idleMs, Date.now());
  let timer = null;
  const send = (frame) => { if (frame !== null) { socket.send(frame); } };
  // One timer at a time, set for when the page may turn idle.
  const watch = () => {
    window.clearTimeout(timer);
    const at = tracker.checkAt;
    if (at !== null) { timer = window.setTimeout(check, Math.max(0, at - Date.now())); }
  };
  const check = () => {
    send(tracker.check(Date.now()));
    watch();
  };
  const onInput = () => {
    const frame = tracker.input(Date.now());
    if (frame !== null) {
      send(frame);
      watch();
    }
  };
  for (const type of INPUT_EVENTS) {
    window.addEventListener(type, onInput, { passive: true, capture: true });
  }
  document.addEventListener('visibilitychange', () => {
    send(tracker.visibility(document.hidden, Date.now()));
    watch();
  });
  watch();
  return tracker;
}

// The viewer's status menu, or null where the page has none.
function statusMenu(element, send) {
  const root = element('status-menu');
  if (!root) { return null; }
  const menu = new StatusMenu({
    root,
    button: element('status-button'),
    label: element('status-label'),
    panel: element('status-panel'),
    choices: [...root.querySelectorAll('.status-choice')],
    form: element('custom-form'),
    text: element('custom-text'),
    expiry: element('custom-expiry'),
    clear: element('custom-clear'),
    current: element('custom-current'),
    errors: element('status-errors'),
  }, send);
  menu.start();
  return menu;
}

function start() {
  const listElement = document.getElementById('user-list');
  if (!listElement) { return; } // not the list page
  const element = (id) => document.getElementById(id);
  const list = new ListView({
    list: listElement,
    count: element('online-count'),
    connection: element('connection'),
  });
  const body = document.body.dataset;
  const viewer = body.viewer ?? null;
  const rendered = Number(element('online-count')?.textContent);
  const state = new PresenceState(list.readRendered(), viewer, Number.isSafeInteger(rendered) ? rendered : 0);
  const announcer = new Announcer(element('announcer'));
  const logIn = () => window.location.assign('/log_in/?next=/');

  const directory = new Directory(
    { form: element('search'), input: element('search-input'), status: element('search-status'), more: element('more') },
    { state, list, onLoggedOut: logIn },
  );
  let tracker = null;
  let menu = null;
  const watchList = new WatchList();
  let rejoined = false; // a socket joined before: this one replaces it
  let onScreen = null;
  const watchOnScreen = () => {
    if (onScreen) { watchList.watch(onScreen.names(), (frame) => socket.send(frame)); }
  };
  let me = state.person(viewer); // the viewer's record the menu shows
  const socket = new LiveSocket({
    state,
    onFrame(frame) {
      const now = Date.now();
      const changes = state.applyFrame(frame, now);
      list.render(changes, now);
      // The viewer knows their own news; the menu shows it.
      announcer.tell(changes.filter((change) => change.username !== viewer));
      list.showCount(state.onlineCount);
      // Records are replaced, never changed: a new one is news.
      const mine = state.person(viewer);
      if (menu && mine && mine !== me) { menu.showSelf(mine); }
      me = mine;
      if (menu && frame?.type === 'error') { menu.showError(readFrame(frame).reason); }
    },
    onPhase: (phase) => list.showConnection(phase),
    onLoggedOut: logIn,
    // A new socket starts active on the server, watching nothing: tell
    // it what this page is and shows.
    onJoined: () => {
      if (tracker) { socket.send(tracker.current()); }
      watchList.reset();
      watchOnScreen();
      if (rejoined) { directory.refresh(); }
      rejoined = true;
    },
  });
  onScreen = new OnScreen(listElement, watchOnScreen);
  tracker = trackActivity(readIdleMs(body.idleMs), socket);
  menu = statusMenu(element, (frame) => socket.send(frame));
  if (menu) {
    const manual = readManual(body.myStatus);
    const until = Number(body.myCustomUntil);
    const custom = readCustom({ text: body.myCustomText, until: body.myCustomUntil ? until : null });
    menu.showSelf(me && me.status !== 'offline' ? { ...me, custom: me.custom ?? custom }
      : { status: manual === 'auto' ? 'online' : manual, custom });
  }

  directory.start();
  list.showCount(state.onlineCount);
  list.refreshSeen(Date.now());
  window.setInterval(() => list.refreshSeen(Date.now()), SEEN_REFRESH_MS);
  socket.start();
}

start();
