// Unit tests of static/js/last_seen.js: the same cases as the tests of
// src/pages/last_seen.rs, so the page the server renders and the phrases
// the script rewrites agree.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { lastSeenPhrase } from '../../static/js/last_seen.js';

const NOW = 1_763_683_200_000;
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

test('a user who never logged in says so', () => {
  assert.equal(lastSeenPhrase(null, NOW), 'never logged in');
  assert.equal(lastSeenPhrase(undefined, NOW), 'never logged in');
  assert.equal(lastSeenPhrase(NaN, NOW), 'never logged in');
});

test('the last minute is just now', () => {
  assert.equal(lastSeenPhrase(NOW, NOW), 'last seen just now');
  assert.equal(lastSeenPhrase(NOW - 59_999, NOW), 'last seen just now');
  assert.equal(lastSeenPhrase(NOW + 5_000, NOW), 'last seen just now', 'a clock behind the server');
});

test('older times use the largest whole unit', () => {
  assert.equal(lastSeenPhrase(NOW - MINUTE, NOW), 'last seen 1 minute ago');
  assert.equal(lastSeenPhrase(NOW - 5 * MINUTE - 1, NOW), 'last seen 5 minutes ago');
  assert.equal(lastSeenPhrase(NOW - 2 * HOUR, NOW), 'last seen 2 hours ago');
  assert.equal(lastSeenPhrase(NOW - DAY, NOW), 'last seen 1 day ago');
  assert.equal(lastSeenPhrase(NOW - 45 * DAY, NOW), 'last seen 1 month ago');
  assert.equal(lastSeenPhrase(NOW - 3 * YEAR, NOW), 'last seen 3 years ago');
});

test('the epoch itself is a time, not "never"', () => {
  assert.equal(lastSeenPhrase(0, 3 * YEAR), 'last seen 3 years ago');
});
