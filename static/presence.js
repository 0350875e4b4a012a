// presence.js: keeps the user list at / live, searchable and pageable.
//
// The server renders every online user, then the first page of everyone
// else. This script:
// - applies the frames of the /users/ WebSocket (src/presence/protocol.rs):
//     {"type":"snapshot","online":[...],"last_seen":{"carol":ms}}  first frame
//     {"type":"presence","username":"bob","is_logged_in":true}
//     {"type":"presence","username":"bob","is_logged_in":false,"last_seen_at":ms}
//     {"type":"user_added","username":"carol"}
//     {"type":"pong"}
// - reconnects with exponential backoff and full jitter when the socket
//   drops, and lets the next snapshot resynchronise the list;
// - searches and pages through GET /api/users?q=&after= (src/api.rs);
// - keeps "last seen 5 minutes ago" current and announces the status
//   changes of listed users in a polite live region.
// All text is set with textContent: no HTML is ever built from strings.
(function () {
  'use strict';

  var list = document.getElementById('user-list');
  if (!list) { return; }
  var countEl = document.getElementById('online-count');
  var connectionEl = document.getElementById('connection');
  var searchForm = document.getElementById('search');
  var searchInput = document.getElementById('search-input');
  var searchStatus = document.getElementById('search-status');
  var moreButton = document.getElementById('more');
  var announcer = document.getElementById('announcer');

  var RETRY_BASE_MS = 500;
  var RETRY_CAP_MS = 30000;
  var PING_EVERY_MS = 15000;
  var SILENCE_LIMIT_MS = 40000; // two missed pongs and then some
  var SEARCH_DELAY_MS = 250;
  var SEEN_REFRESH_MS = 30000;
  var NAME = /^[\p{Alphabetic}\p{N}@.+\-_]*$/u; // src/auth/username.rs

  var online = new Set();   // every online username, listed or not
  var items = new Map();    // username -> its <li>, for listed users
  var query = '';           // folded search; '' is the default listing
  var next = null;          // cursor of the listing's next page
  var generation = 0;       // bumped per listing; late answers are dropped
  var socket = null;
  var synced = false;       // a snapshot arrived on the current socket
  var attempt = 0;          // failed connections since the last snapshot
  var droppedAt = null;     // when the socket was lost, if it is
  var lastHeard = 0;

  // ---- the list -------------------------------------------------------

  function fold(name) { return name.trim().toLowerCase(); }
  function rank(li) { return li.dataset.status === 'online' ? 0 : 1; }

  // Online users first, then by folded name: the server's order.
  function precedes(a, b) {
    if (rank(a) !== rank(b)) { return rank(a) < rank(b); }
    return fold(a.dataset.username) < fold(b.dataset.username);
  }

  // Moves li to its place with a binary search: the list can hold
  // thousands of online users.
  function place(li) {
    if (li.parentNode === list) {
      var prev = li.previousElementSibling;
      var after = li.nextElementSibling;
      if ((!prev || precedes(prev, li)) && (!after || precedes(li, after))) { return; }
      list.removeChild(li);
    }
    var children = list.children;
    var lo = 0;
    var hi = children.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (precedes(children[mid], li)) { lo = mid + 1; } else { hi = mid; }
    }
    list.insertBefore(li, children[lo] || null);
  }

  function span(className, text) {
    var el = document.createElement('span');
    el.className = className;
    el.textContent = text;
    return el;
  }

  function makeItem(username) {
    var li = document.createElement('li');
    li.className = 'user';
    li.dataset.username = username;
    li.dataset.status = 'offline';
    li.appendChild(span('user-name', username));
    li.appendChild(document.createTextNode(' '));
    li.appendChild(span('user-status', 'Offline'));
    li.appendChild(document.createTextNode(' '));
    li.appendChild(span('user-seen', ''));
    items.set(username, li);
    return li;
  }

  // The same phrases as src/pages/last_seen.rs.
  function lastSeenPhrase(at) {
    if (!at) { return 'never logged in'; }
    var ago = Math.max(0, Date.now() - Number(at));
    var units = [['year', 365 * 864e5], ['month', 30 * 864e5], ['day', 864e5],
      ['hour', 36e5], ['minute', 6e4]];
    for (var i = 0; i < units.length; i += 1) {
      var count = Math.floor(ago / units[i][1]);
      if (count >= 1) {
        return 'last seen ' + count + ' ' + units[i][0] + (count === 1 ? '' : 's') + ' ago';
      }
    }
    return 'last seen just now';
  }

  // Shows a status; lastSeenAt is a time, null for never, or undefined
  // to keep what the item has.
  function show(li, isOnline, lastSeenAt) {
    if (lastSeenAt === null) {
      delete li.dataset.lastSeen;
    } else if (lastSeenAt !== undefined) {
      li.dataset.lastSeen = String(lastSeenAt);
    }
    li.dataset.status = isOnline ? 'online' : 'offline';
    li.querySelector('.user-status').textContent = isOnline ? 'Online' : 'Offline';
    li.querySelector('.user-seen').textContent = isOnline ? '' : lastSeenPhrase(li.dataset.lastSeen);
    place(li);
  }

  function refreshSeen() {
    items.forEach(function (li) {
      if (li.dataset.status === 'offline') {
        li.querySelector('.user-seen').textContent = lastSeenPhrase(li.dataset.lastSeen);
      }
    });
  }

  function updateCount() {
    if (countEl) { countEl.textContent = String(online.size); }
  }

  function matches(username) { return fold(username).indexOf(query) === 0; }

  // ---- announcements --------------------------------------------------

  var pending = [];
  var announceTimer = null;

  // Batches changes for a second, so a burst is one short sentence.
  function announce(text) {
    pending.push(text);
    if (announceTimer === null) { announceTimer = window.setTimeout(flushAnnouncements, 1000); }
  }

  function flushAnnouncements() {
    announceTimer = null;
    if (!announcer || pending.length === 0) { pending = []; return; }
    announcer.textContent = pending.length <= 3
      ? pending.join('. ') + '.'
      : pending.length + ' people changed status.';
    pending = [];
  }

  // ---- frames ---------------------------------------------------------

  function setOnline(username, isOnline, lastSeenAt) {
    if (isOnline) { online.add(username); } else { online.delete(username); }
    var li = items.get(username);
    if (!li && isOnline && matches(username)) { li = makeItem(username); }
    if (!li) { return; }
    var changed = (li.dataset.status === 'online') !== isOnline || !li.parentNode;
    show(li, isOnline, isOnline ? undefined : lastSeenAt);
    if (changed) { announce(username + (isOnline ? ' is online' : ' went offline')); }
  }

  // The snapshot is the truth as of now: whatever this page missed while
  // it was away (or between rendering and connecting) is corrected here.
  function applySnapshot(frame) {
    var names = frame.online.filter(function (name) { return typeof name === 'string'; });
    var seen = frame.last_seen && typeof frame.last_seen === 'object' ? frame.last_seen : {};
    var now = new Set(names);
    // Without a time from the server, they were last seen around when
    // this page lost its socket.
    var dropped = droppedAt || Date.now();
    online.forEach(function (name) {
      if (!now.has(name)) {
        setOnline(name, false, typeof seen[name] === 'number' ? seen[name] : dropped);
      }
    });
    items.forEach(function (li, name) {
      if (!now.has(name) && typeof seen[name] === 'number') { show(li, false, seen[name]); }
    });
    names.forEach(function (name) { setOnline(name, true); });
  }

  function onFrame(frame) {
    if (!frame || typeof frame.type !== 'string') { return; }
    if (frame.type === 'snapshot' && Array.isArray(frame.online)) {
      applySnapshot(frame);
    } else if (frame.type === 'presence' && typeof frame.username === 'string') {
      var at = typeof frame.last_seen_at === 'number' ? frame.last_seen_at : Date.now();
      setOnline(frame.username, frame.is_logged_in === true, at);
    } else if (frame.type === 'user_added' && typeof frame.username === 'string') {
      if (!items.has(frame.username) && matches(frame.username)) {
        show(makeItem(frame.username), false, null);
        announce(frame.username + ' joined');
      }
    }
    updateCount();
  }

  // ---- the socket -----------------------------------------------------

  function setConnection(state, text) {
    if (!connectionEl) { return; }
    connectionEl.dataset.state = state;
    connectionEl.textContent = text;
    list.classList.toggle('stale', state === 'reconnecting');
  }

  // Exponential backoff with full jitter: after a restart, thousands of
  // tabs spread their returns over the whole window instead of arriving
  // in the same instant.
  function retryDelay() {
    var ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * Math.pow(2, attempt));
    attempt += 1;
    return Math.random() * ceiling;
  }

  function lost() {
    socket = null;
    synced = false;
    if (droppedAt === null) { droppedAt = Date.now(); }
    setConnection('reconnecting', 'Reconnecting…');
    if (attempt >= 3) { checkStillLoggedIn(); }
    window.setTimeout(connect, retryDelay());
  }

  function connect() {
    var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    var ws = new WebSocket(scheme + window.location.host + '/users/');
    socket = ws;
    ws.onopen = function () { lastHeard = Date.now(); };
    ws.onmessage = function (event) {
      if (ws !== socket) { return; }
      lastHeard = Date.now();
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && frame.type === 'snapshot') {
        attempt = 0;
        synced = true;
        setConnection('live', '');
      }
      onFrame(frame);
      if (frame && frame.type === 'snapshot') { droppedAt = null; }
    };
    ws.onclose = function (event) {
      if (ws !== socket) { return; }
      if (event.code === 1000) {
        // This login logged out, maybe in another tab: the page is stale.
        socket = null;
        setConnection('closed', 'You have been logged out.');
        window.location.assign('/log_in/?next=/');
        return;
      }
      lost();
    };
  }

  // A socket on a dead network can stay "open" for minutes: ping, and
  // start over when nothing at all has come back for a while.
  function watchdog() {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
    if (Date.now() - lastHeard > SILENCE_LIMIT_MS) {
      var dead = socket;
      lost();
      dead.close();
      return;
    }
    socket.send('{"type":"ping"}');
  }

  // Failing again and again may mean the session is gone.
  function checkStillLoggedIn() {
    window.fetch('/api/users?q=', { credentials: 'same-origin' }).then(function (response) {
      if (response.status === 401) { window.location.assign('/log_in/?next=/'); }
    }, function () { /* the server is still away; keep retrying */ });
  }

  // ---- search and paging ----------------------------------------------

  function fetchPage(q, after) {
    var params = new URLSearchParams();
    params.set('q', q);
    if (after) { params.set('after', after); }
    return window.fetch('/api/users?' + params.toString(), {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (response) {
      if (response.status === 401) { window.location.assign('/log_in/?next=/'); }
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    });
  }

  function setNext(cursor) {
    next = typeof cursor === 'string' && cursor !== '' ? cursor : null;
    if (moreButton) { moreButton.hidden = next === null; }
  }

  function addUsers(users) {
    users.forEach(function (user) {
      if (!user || typeof user.username !== 'string') { return; }
      var li = items.get(user.username) || makeItem(user.username);
      // While the socket is in sync its statuses are the newer ones;
      // otherwise the server's answer is.
      var isOnline = synced ? online.has(user.username) : user.online === true;
      if (isOnline) { online.add(user.username); } else { online.delete(user.username); }
      show(li, isOnline, typeof user.last_seen_at === 'number' ? user.last_seen_at : null);
    });
    updateCount();
  }

  function say(text) { if (searchStatus) { searchStatus.textContent = text; } }

  // Replaces the list with the first page of `raw`, or with the default
  // listing (online users, then everyone by name) when it is empty.
  function search(raw) {
    var q = fold(raw);
    if (!NAME.test(q)) {
      say('Usernames contain only letters, digits and @ . + - _');
      return;
    }
    var mine = (generation += 1);
    fetchPage(q, null).then(function (page) {
      if (mine !== generation) { return; }
      query = q;
      items.clear();
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (q === '') { online.forEach(function (name) { show(makeItem(name), true); }); }
      addUsers(Array.isArray(page.users) ? page.users : []);
      setNext(page.next);
      if (q === '') { say(''); }
      else if (items.size === 0) { say('No users start with “' + raw.trim() + '”.'); }
      else { say('Users starting with “' + raw.trim() + '”' + (next ? ', more below.' : '.')); }
    }).catch(function () {
      if (mine === generation) { say('The search failed. Try again in a moment.'); }
    });
  }

  function showMore() {
    if (!next) { return; }
    var mine = generation;
    moreButton.disabled = true;
    fetchPage(query, next).then(function (page) {
      if (mine !== generation) { return; }
      addUsers(Array.isArray(page.users) ? page.users : []);
      setNext(page.next);
      if (next === null) { say(query === '' ? 'That is everyone.' : 'No more matches.'); }
    }).catch(function () {
      say('Could not load more users. Try again in a moment.');
    }).then(function () {
      moreButton.disabled = false;
      if (moreButton.hidden) { list.focus(); }
    });
  }

  // ---- start ----------------------------------------------------------

  Array.prototype.forEach.call(list.querySelectorAll('li.user'), function (li) {
    items.set(li.dataset.username, li);
    if (li.dataset.status === 'online') { online.add(li.dataset.username); }
  });
  if (moreButton) {
    setNext(moreButton.dataset.next);
    moreButton.addEventListener('click', showMore);
  }
  if (searchForm && searchInput) {
    var searchTimer = null;
    searchForm.hidden = false;
    searchForm.addEventListener('submit', function (event) {
      event.preventDefault();
      window.clearTimeout(searchTimer);
      search(searchInput.value);
    });
    searchInput.addEventListener('input', function () {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(function () { search(searchInput.value); }, SEARCH_DELAY_MS);
    });
  }
  updateCount();
  refreshSeen();
  window.setInterval(refreshSeen, SEEN_REFRESH_MS);
  window.setInterval(watchdog, PING_EVERY_MS);
  setConnection('connecting', '');
  connect();
})();
