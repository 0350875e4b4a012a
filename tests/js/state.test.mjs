// Unit tests of static/js/state.js, the list's rules without a DOM:
// `node --test tests/js/`. The browser tests (tests/browser/) check the
// same behaviour end to end; these pin down each rule on its own.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  OFFLINE, ONLINE, PresenceState, RETRY_BASE_MS, RETRY_CAP_MS, insertionIndex, precedes,
  readFrame, retryDelay,
} from '../../static/js/state.js';

const NOW = 1_763_683_200_000;
const MINUTE = 60_000;

// The page as the server rendered it: alice online, erin and gwen
// offline, and 7 users online in all (the rendered count).
function rendered() {
  return new PresenceState([
    { username: 'alice', status: ONLINE, lastSeenAt: null },
    { username: 'erin', status: OFFLINE, lastSeenAt: NOW - 5 * MINUTE },
    { username: 'gwen', status: OFFLINE, lastSeenAt: null },
  ], null, 7);
}

const snapshot = (online, lastSeen = {}) => ({ type: 'snapshot', online, last_seen: lastSeen });
const presence = (username, isLoggedIn, lastSeenAt) => ({
  type: 'presence', username, is_logged_in: isLoggedIn, ...(lastSeenAt === undefined ? {} : { last_seen_at: lastSeenAt }),
});
const names = (state) => state.listing().map((entry) => `${entry.username}:${entry.status}`);
const change = (username, status, lastSeenAt, news = null) => ({
  username, status, lastSeenAt, news, custom: null, devices: [],
});

test('a snapshot and then presence frames keep statuses and the order', () => {
  const state = rendered();
  state.applyFrame(snapshot(['alice']), NOW);
  assert.equal(state.synced, true);
  assert.deepEqual(state.applyFrame(presence('erin', true), NOW), [change('erin', ONLINE, NOW - 5 * MINUTE, ONLINE)]);
  assert.deepEqual(names(state), ['alice:online', 'erin:online', 'gwen:offline']);

  const changes = state.applyFrame(presence('alice', false, NOW + MINUTE), NOW + 2 * MINUTE);
  assert.deepEqual(changes, [change('alice', OFFLINE, NOW + MINUTE, OFFLINE)]);
  assert.deepEqual(names(state), ['erin:online', 'alice:offline', 'gwen:offline']);
  assert.equal(state.onlineCount, 7, 'frames about users do not move the count');
});

test('the count is the rendered one until a counts frame replaces it', () => {
  const state = rendered();
  assert.equal(state.onlineCount, 7);
  assert.deepEqual(state.applyFrame({ type: 'counts', online: 9120, away: 640, dnd: 88 }, NOW), []);
  assert.equal(state.onlineCount, 9848);
  for (const bad of [
    { type: 'counts' }, { type: 'counts', online: -1, away: 0, dnd: 0 },
    { type: 'counts', online: '5', away: 0, dnd: 0 }, { type: 'counts', online: 1.5, away: 0, dnd: 0 },
  ]) {
    assert.deepEqual(state.applyFrame(bad, NOW), [], JSON.stringify(bad));
  }
  assert.equal(state.onlineCount, 9848, 'a malformed counts frame changes nothing');
});

test('an offline frame without a time means the user left now', () => {
  const state = rendered();
  assert.deepEqual(state.applyFrame(presence('alice', false), NOW), [change('alice', OFFLINE, NOW, OFFLINE)]);
});

test('an offline frame without a time about someone offline keeps when they were seen', () => {
  const state = rendered();
  assert.deepEqual(state.applyFrame(presence('erin', false), NOW), []);
  assert.equal(state.person('erin').lastSeenAt, NOW - 5 * MINUTE);
});

test('the seed frame is_logged_in maps to a status record', () => {
  const state = rendered();
  state.applyFrame({ type: 'presence', username: 'gwen', is_logged_in: true }, NOW);
  assert.deepEqual(state.person('gwen'), { status: ONLINE, lastSeenAt: null, custom: null, devices: [] });
  // Anything but `true` is offline, as the seed's client read it.
  state.applyFrame({ type: 'presence', username: 'gwen', is_logged_in: 'yes' }, NOW);
  assert.equal(state.person('gwen').status, OFFLINE);
});

test('a repeated frame changes nothing and announces nothing', () => {
  const state = rendered();
  assert.deepEqual(state.applyFrame(presence('alice', true), NOW), []);
  state.applyFrame(presence('erin', false, NOW), NOW);
  assert.deepEqual(state.applyFrame(presence('erin', false, NOW), NOW), []);
});

test('users outside the listing are neither drawn nor kept', () => {
  const state = rendered();
  assert.deepEqual(state.applyFrame(presence('Zed', true), NOW), []);
  assert.equal(state.person('Zed'), undefined, 'only the directory lists someone');
  state.applyFrame(snapshot(['alice', 'Zed', 'yan']), NOW);
  assert.equal(state.person('yan'), undefined, 'a snapshot lists nobody new');
  assert.deepEqual(names(state), ['alice:online', 'erin:offline', 'gwen:offline']);
});

test('a listing of every match takes in someone new who is present', () => {
  const state = rendered();
  state.setComplete(true);
  assert.deepEqual(state.applyFrame(presence('Zed', true), NOW), [change('Zed', ONLINE, null, ONLINE)]);
  state.applyFrame(snapshot(['alice', 'Zed', 'yan']), NOW);
  assert.deepEqual(names(state), ['alice:online', 'yan:online', 'Zed:online', 'erin:offline', 'gwen:offline']);
  assert.deepEqual(state.applyFrame(presence('hal', false), NOW), [], 'an offline stranger is not news');
});

test('the viewer is kept, unlisted, for the status menu', () => {
  const state = new PresenceState([], 'vic', 1);
  assert.deepEqual(state.applyFrame({ type: 'presence', username: 'vic', status: 'dnd' }, NOW), []);
  assert.equal(state.person('vic').status, 'dnd');
  assert.equal(state.listedCount, 0);
  state.startListing('x');
  assert.equal(state.person('vic').status, 'dnd', 'a new listing keeps the viewer');
});

test('a snapshot after a reconnect corrects what the page missed', () => {
  const state = rendered();
  state.addUsers([
    { username: 'bob', online: true, last_seen_at: null },
    { username: 'dave', online: true, last_seen_at: null },
    { username: 'carol', online: false, last_seen_at: null },
  ]);
  state.applyFrame(snapshot(['alice', 'bob', 'dave']), NOW);
  state.connectionLost(NOW + MINUTE);
  state.connectionLost(NOW + 2 * MINUTE); // a failed retry: the drop time stays
  assert.equal(state.synced, false);

  // While away: alice and dave left (the server knows when alice did),
  // erin came and went again, and carol came online.
  const changes = state.applyFrame(
    snapshot(['bob', 'carol'], { alice: NOW + 30_000, erin: NOW + 90_000 }),
    NOW + 3 * MINUTE,
  );
  const byName = new Map(changes.map((c) => [c.username, c]));
  assert.deepEqual(byName.get('alice'), change('alice', OFFLINE, NOW + 30_000, OFFLINE));
  assert.deepEqual(byName.get('dave'), change('dave', OFFLINE, NOW + MINUTE, OFFLINE), 'the drop time');
  assert.deepEqual(byName.get('erin'), change('erin', OFFLINE, NOW + 90_000), 'a fresher time, no news');
  assert.deepEqual(byName.get('carol'), change('carol', ONLINE, null, ONLINE));
  assert.equal(byName.has('bob'), false, 'bob did not change');
  assert.deepEqual(names(state), ['bob:online', 'carol:online', 'alice:offline', 'dave:offline', 'erin:offline', 'gwen:offline']);
  assert.equal(state.synced, true);
});

test('a watching socket’s snapshot of nobody brings the page in sync and changes no line', () => {
  const state = rendered();
  state.connectionLost(NOW);
  assert.deepEqual(state.applyFrame({ type: 'snapshot', online: [], watching: true }, NOW + MINUTE), []);
  assert.equal(state.synced, true);
  assert.equal(state.failedAttempts, 0);
  assert.deepEqual(names(state), ['alice:online', 'erin:offline', 'gwen:offline']);
});

test('the drop time is forgotten once a snapshot arrives', () => {
  const state = rendered();
  state.connectionLost(NOW);
  state.applyFrame(snapshot(['alice']), NOW + MINUTE);
  state.applyFrame(presence('gwen', true), NOW + MINUTE);
  const changes = state.applyFrame(snapshot(['alice']), NOW + 5 * MINUTE);
  assert.deepEqual(changes, [change('gwen', OFFLINE, NOW + 5 * MINUTE, OFFLINE)]);
});

test('user_added lists a new account as never seen, once', () => {
  const state = rendered();
  state.setComplete(true);
  const added = { type: 'user_added', username: 'dave' };
  assert.deepEqual(state.applyFrame(added, NOW), [change('dave', OFFLINE, null, 'joined')]);
  assert.deepEqual(state.applyFrame(added, NOW), []);
  assert.deepEqual(names(state), ['alice:online', 'dave:offline', 'erin:offline', 'gwen:offline']);
});

test('an account announced while a listing loads stays listed when the listing predates it', () => {
  const state = rendered();
  state.setComplete(true);
  state.listingRequested();
  state.applyFrame({ type: 'user_added', username: 'dave' }, NOW);
  // The page was read before dave's account was made.
  state.startListing('');
  state.addUsers([{ username: 'alice', status: ONLINE, last_seen_at: null }]);
  state.setComplete(true);
  assert.deepEqual(state.listingLoaded(), [change('dave', OFFLINE, null, 'joined')]);
  assert.deepEqual(names(state), ['alice:online', 'dave:offline']);
  assert.deepEqual(state.listingLoaded(), [], 'taken in once');
});

test('user_added outside the search is not listed', () => {
  const state = rendered();
  state.startListing('er');
  state.setComplete(true);
  assert.deepEqual(state.applyFrame({ type: 'user_added', username: 'dave' }, NOW), []);
  assert.equal(state.listedCount, 0);
});

test('user_added is not listed while the listing has pages left to load', () => {
  const state = rendered();
  state.setComplete(false);
  assert.deepEqual(state.applyFrame({ type: 'user_added', username: 'dave' }, NOW), []);
  assert.equal(state.person('dave'), undefined);
});

test('malformed frames change nothing', () => {
  const state = rendered();
  const before = state.listing();
  for (const frame of [
    null, 42, 'snapshot', [], {}, { type: 7 }, { type: 'pong' }, { type: 'nonsense', username: 'x' },
    { type: 'snapshot' }, { type: 'snapshot', online: 'alice' },
    { type: 'presence' }, { type: 'presence', username: 5, is_logged_in: true },
    { type: 'user_added' }, { type: 'user_added', username: ['x'] },
  ]) {
    assert.deepEqual(state.applyFrame(frame, NOW), [], JSON.stringify(frame));
  }
  assert.deepEqual(state.listing(), before);
  assert.equal(state.onlineCount, 7);
  assert.equal(state.synced, false, 'a broken snapshot does not bring the page in sync');
});

test('bad entries inside a snapshot are skipped, the rest applies', () => {
  const frame = readFrame({ type: 'snapshot', online: ['bob', 3, null], last_seen: { a: 'x', b: 5, c: null } });
  assert.deepEqual([...frame.online.keys()], ['bob']);
  assert.deepEqual([...frame.lastSeen], [['b', 5]]);
  const noTimes = readFrame({ type: 'snapshot', online: [], last_seen: null });
  assert.equal(noTimes.lastSeen.size, 0);
});

test('online users come first, then away and do not disturb, then offline, each by folded name', () => {
  const entries = [
    { username: 'bob', status: OFFLINE }, { username: 'Zed', status: ONLINE },
    { username: 'amy', status: OFFLINE }, { username: 'Carl', status: 'dnd' },
    { username: 'able', status: ONLINE }, { username: 'Bea', status: 'away' },
  ];
  const sorted = [...entries].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
  assert.deepEqual(sorted.map((e) => e.username), ['able', 'Zed', 'Bea', 'Carl', 'amy', 'bob']);
});

test('the insertion index keeps a sorted list sorted', () => {
  const sorted = [];
  for (const username of ['m', 'B', 'z', 'a', 'K', 'c']) {
    const entry = { username, status: username === 'z' ? ONLINE : OFFLINE };
    sorted.splice(insertionIndex(sorted.length, (i) => sorted[i], entry), 0, entry);
  }
  assert.deepEqual(sorted.map((e) => e.username), ['z', 'a', 'B', 'c', 'K', 'm']);
});

test('retry delays grow exponentially within full jitter, up to the cap', () => {
  assert.equal(retryDelay(0, () => 0), 0, 'full jitter may retry at once');
  assert.equal(retryDelay(0, () => 0.5), RETRY_BASE_MS / 2);
  const almostOne = () => 1 - Number.EPSILON;
  let ceiling = RETRY_BASE_MS;
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const delay = retryDelay(attempt, almostOne);
    assert.ok(delay < ceiling && delay > ceiling * 0.99, `attempt ${attempt}: ${delay}`);
    ceiling = Math.min(RETRY_CAP_MS, ceiling * 2);
  }
  assert.ok(retryDelay(1000, almostOne) < RETRY_CAP_MS, 'a huge attempt count stays capped');
});

test('the retry count grows per failure and resets with a snapshot', () => {
  const state = rendered();
  const top = () => 1 - Number.EPSILON;
  const delays = [0, 1, 2, 3].map(() => {
    state.connectionLost(NOW);
    return state.nextRetryDelay(top);
  });
  assert.ok(delays[3] > 7 * RETRY_BASE_MS, `${delays}`);
  assert.equal(state.failedAttempts, 4);
  state.applyFrame(snapshot(['alice']), NOW);
  assert.equal(state.failedAttempts, 0);
  assert.ok(state.nextRetryDelay(top) < RETRY_BASE_MS);
});

test('a directory page takes the socket’s word for users the page knows while in sync', () => {
  const state = rendered();
  const page = [
    { username: 'alice', online: false, last_seen_at: NOW }, // stale: the socket says online
    { username: 'bob', online: true, last_seen_at: null }, // not watched yet: the page's word
    { username: 'bad' }, null, { username: 7 },
  ];
  state.applyFrame(snapshot(['alice']), NOW);
  const changes = state.addUsers(page);
  assert.deepEqual(changes.map((c) => `${c.username}:${c.status}`), ['alice:online', 'bob:online', 'bad:offline']);
});

test('a directory page is the newer word while the socket is away', () => {
  const state = rendered();
  state.connectionLost(NOW);
  state.addUsers([{ username: 'bob', online: true, last_seen_at: null }]);
  state.addUsers([{ username: 'alice', online: false, last_seen_at: NOW }]);
  assert.deepEqual(names(state), ['bob:online', 'alice:offline', 'erin:offline', 'gwen:offline']);
  assert.equal(state.person('alice').lastSeenAt, NOW);
});

test('a new listing starts empty and lists what the directory brings', () => {
  const state = rendered();
  assert.deepEqual(state.startListing('e'), []);
  assert.equal(state.listedCount, 0);
  assert.equal(state.person('erin'), undefined);
  assert.equal(state.person('alice'), undefined, 'online or not, the old listing is forgotten');
  state.addUsers([{ username: 'erin', online: false, last_seen_at: null }]);
  assert.deepEqual(names(state), ['erin:offline']);
  assert.deepEqual(state.listedNames, ['erin']);

  assert.deepEqual(state.startListing(''), []);
  assert.deepEqual(names(state), []);
  assert.equal(state.query, '');
});
