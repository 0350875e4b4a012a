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

// The page as the server rendered it: alice online, erin and gwen offline.
function rendered() {
  return new PresenceState([
    { username: 'alice', status: ONLINE, lastSeenAt: null },
    { username: 'erin', status: OFFLINE, lastSeenAt: NOW - 5 * MINUTE },
    { username: 'gwen', status: OFFLINE, lastSeenAt: null },
  ]);
}

const snapshot = (online, lastSeen = {}) => ({ type: 'snapshot', online, last_seen: lastSeen });
const presence = (username, isLoggedIn, lastSeenAt) => ({
  type: 'presence', username, is_logged_in: isLoggedIn, ...(lastSeenAt === undefined ? {} : { last_seen_at: lastSeenAt }),
});
const names = (state) => state.listing().map((entry) => `${entry.username}:${entry.status}`);
const change = (username, status, lastSeenAt, news = null) => ({
  username, status, lastSeenAt, news, custom: null, devices: [],
});

test('a snapshot and then presence frames keep statuses, the count and the order', () => {
  const state = rendered();
  state.applyFrame(snapshot(['alice']), NOW);
  assert.equal(state.synced, true);
  assert.deepEqual(state.applyFrame(presence('erin', true), NOW), [change('erin', ONLINE, NOW - 5 * MINUTE, ONLINE)]);
  assert.equal(state.onlineCount, 2);
  assert.deepEqual(names(state), ['alice:online', 'erin:online', 'gwen:offline']);

  const changes = state.applyFrame(presence('alice', false, NOW + MINUTE), NOW + 2 * MINUTE);
  assert.deepEqual(changes, [change('alice', OFFLINE, NOW + MINUTE, OFFLINE)]);
  assert.equal(state.onlineCount, 1);
  assert.deepEqual(names(state), ['erin:online', 'alice:offline', 'gwen:offline']);
});

test('an offline frame without a time means the user left now', () => {
  const state = rendered();
  assert.deepEqual(state.applyFrame(presence('alice', false), NOW), [change('alice', OFFLINE, NOW, OFFLINE)]);
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

test('online users outside the listing count but are not drawn', () => {
  const state = rendered();
  state.startListing('er');
  state.addUsers([{ username: 'erin', online: false, last_seen_at: null }]);
  assert.deepEqual(state.applyFrame(presence('zed', true), NOW), []);
  assert.equal(state.onlineCount, 2);
  assert.deepEqual(state.applyFrame(presence('zed', false), NOW), []);
  assert.equal(state.onlineCount, 1);
  assert.equal(state.person('zed'), undefined, 'an offline, unlisted user is forgotten');
});

test('someone matching the listing who comes online is listed and announced', () => {
  const state = rendered();
  assert.deepEqual(state.applyFrame(presence('Zed', true), NOW), [change('Zed', ONLINE, null, ONLINE)]);
  assert.deepEqual(names(state), ['alice:online', 'Zed:online', 'erin:offline', 'gwen:offline']);
});

test('a snapshot after a reconnect corrects what the page missed', () => {
  const state = rendered();
  state.applyFrame(snapshot(['alice']), NOW);
  state.applyFrame(presence('bob', true), NOW);
  state.applyFrame(presence('dave', true), NOW);
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
  assert.equal(state.onlineCount, 2);
  assert.deepEqual(names(state), ['bob:online', 'carol:online', 'alice:offline', 'dave:offline', 'erin:offline', 'gwen:offline']);
  assert.equal(state.synced, true);
});

test('the drop time is forgotten once a snapshot arrives', () => {
  const state = rendered();
  state.connectionLost(NOW);
  state.applyFrame(snapshot(['alice']), NOW + MINUTE);
  state.applyFrame(presence('bob', true), NOW + MINUTE);
  const changes = state.applyFrame(snapshot(['alice']), NOW + 5 * MINUTE);
  assert.deepEqual(changes, [change('bob', OFFLINE, NOW + 5 * MINUTE, OFFLINE)]);
});

test('user_added lists a new account as never seen, once', () => {
  const state = rendered();
  const added = { type: 'user_added', username: 'dave' };
  assert.deepEqual(state.applyFrame(added, NOW), [change('dave', OFFLINE, null, 'joined')]);
  assert.deepEqual(state.applyFrame(added, NOW), []);
  assert.deepEqual(names(state), ['alice:online', 'dave:offline', 'erin:offline', 'gwen:offline']);
  assert.equal(state.onlineCount, 1);
});

test('user_added outside the search is not listed', () => {
  const state = rendered();
  state.startListing('er');
  assert.deepEqual(state.applyFrame({ type: 'user_added', username: 'dave' }, NOW), []);
  assert.equal(state.listedCount, 0);
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
  assert.equal(state.onlineCount, 1);
  assert.equal(state.synced, false, 'a broken snapshot does not bring the page in sync');
});

test('bad entries inside a snapshot are skipped, the rest applies', () => {
  const frame = readFrame({ type: 'snapshot', online: ['bob', 3, null], last_seen: { a: 'x', b: 5, c: null } });
  assert.deepEqual([...frame.online.keys()], ['bob']);
  assert.deepEqual([...frame.lastSeen], [['b', 5]]);
  const noTimes = readFrame({ type: 'snapshot', online: [], last_seen: null });
  assert.equal(noTimes.lastSeen.size, 0);
});

test('online users come first, then everyone by folded name', () => {
  const entries = [
    { username: 'bob', status: OFFLINE }, { username: 'Zed', status: ONLINE },
    { username: 'amy', status: OFFLINE }, { username: 'Carl', status: OFFLINE },
    { username: 'able', status: ONLINE },
  ];
  const sorted = [...entries].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
  assert.deepEqual(sorted.map((e) => e.username), ['able', 'Zed', 'amy', 'bob', 'Carl']);
  assert.equal(precedes({ username: 'x', status: 'away' }, { username: 'a', status: OFFLINE }), true,
    'a richer present status ranks with online');
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

test('a directory page takes its statuses from the socket while in sync', () => {
  const state = rendered();
  const page = [
    { username: 'alice', online: false, last_seen_at: NOW }, // stale: the socket says online
    { username: 'bob', online: true, last_seen_at: null }, // stale: the socket never said so
    { username: 'bad' }, null, { username: 7 },
  ];
  state.applyFrame(snapshot(['alice']), NOW);
  const changes = state.addUsers(page);
  assert.deepEqual(changes.map((c) => `${c.username}:${c.status}`), ['alice:online', 'bob:offline', 'bad:offline']);
  assert.equal(state.onlineCount, 1);
});

test('a directory page is the newer word while the socket is away', () => {
  const state = rendered();
  state.connectionLost(NOW);
  state.addUsers([{ username: 'bob', online: true, last_seen_at: null }]);
  state.addUsers([{ username: 'alice', online: false, last_seen_at: NOW }]);
  assert.deepEqual(names(state), ['bob:online', 'alice:offline', 'erin:offline', 'gwen:offline']);
  assert.equal(state.person('alice').lastSeenAt, NOW);
});

test('a new listing keeps the online users and forgets the offline ones', () => {
  const state = rendered();
  assert.deepEqual(state.startListing('e'), []);
  assert.equal(state.listedCount, 0);
  assert.equal(state.person('erin'), undefined);
  assert.equal(state.onlineCount, 1);
  state.addUsers([{ username: 'erin', online: false, last_seen_at: null }]);
  assert.deepEqual(names(state), ['erin:offline']);

  const everyone = state.startListing('');
  assert.deepEqual(everyone, [change('alice', ONLINE, null)]);
  assert.deepEqual(names(state), ['alice:online']);
  assert.equal(state.query, '');
});
