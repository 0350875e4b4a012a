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
// - socket.js     the /users/ WebSocket: reconnects and watches for silence
// - directory.js  search and "Show more" through /api/users
//
// The server renders every online user, then the first page of everyone
// else; the state starts from those lines and the socket's frames keep
// them live. It keeps the URL the page has always loaded, /static/presence.js.

import { Announcer } from './announce.js';
import { Directory } from './directory.js';
import { ListView } from './list.js';
import { LiveSocket } from './socket.js';
import { PresenceState } from './state.js';

// "last seen" phrases are reworded this often as time passes.
const SEEN_REFRESH_MS = 30000;

function start() {
  const listElement = document.getElementById('user-list');
  if (!listElement) { return; } // not the list page
  const element = (id) => document.getElementById(id);
  const list = new ListView({
    list: listElement,
    count: element('online-count'),
    connection: element('connection'),
  });
  const state = new PresenceState(list.readRendered());
  const announcer = new Announcer(element('announcer'));
  const logIn = () => window.location.assign('/log_in/?next=/');

  const directory = new Directory(
    { form: element('search'), input: element('search-input'), status: element('search-status'), more: element('more') },
    { state, list, onLoggedOut: logIn },
  );
  const socket = new LiveSocket({
    state,
    onFrame(frame) {
      const now = Date.now();
      const changes = state.applyFrame(frame, now);
      list.render(changes, now);
      announcer.tell(changes);
      list.showCount(state.onlineCount);
    },
    onPhase: (phase) => list.showConnection(phase),
    onLoggedOut: logIn,
  });

  directory.start();
  list.showCount(state.onlineCount);
  list.refreshSeen(Date.now());
  window.setInterval(() => list.refreshSeen(Date.now()), SEEN_REFRESH_MS);
  socket.start();
}

start();
