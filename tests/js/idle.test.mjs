// Unit tests of static/js/idle.js: the page's activity as the server
// hears it, one frame per transition, never one per keystroke.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ACTIVE, IDLE, IdleTracker, activityFrame, readIdleMs } from '../../static/js/idle.js';

const IDLE_MS = 5_000;
const T = 1_763_683_200_000;

test('a page starts active, as its socket does on the server, and sends nothing for it', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  assert.equal(tracker.state, ACTIVE);
  assert.equal(tracker.check(T + IDLE_MS - 1), null);
  assert.equal(tracker.checkAt, T + IDLE_MS);
});

test('without input for the idle time the page turns idle once', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  assert.deepEqual(tracker.check(T + IDLE_MS), { type: 'activity', state: 'idle' });
  assert.equal(tracker.state, IDLE);
  assert.equal(tracker.checkAt, null, 'no timer while idle');
  assert.equal(tracker.check(T + 10 * IDLE_MS), null, 'idle is said once');
});

test('typing sends no frame while active, and only pushes the deadline back', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  const frames = [];
  for (let i = 1; i <= 1000; i += 1) {
    const frame = tracker.input(T + i * 10);
    if (frame !== null) { frames.push(frame); }
  }
  assert.deepEqual(frames, []);
  assert.equal(tracker.checkAt, T + 10_000 + IDLE_MS);
  assert.equal(tracker.check(T + 10_000 + IDLE_MS - 1), null);
});

test('the first input after idle sends active at once, the rest nothing', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  tracker.check(T + IDLE_MS);
  assert.deepEqual(tracker.input(T + IDLE_MS + 50), activityFrame(ACTIVE));
  assert.equal(tracker.input(T + IDLE_MS + 60), null);
  assert.equal(tracker.state, ACTIVE);
  assert.equal(tracker.checkAt, T + IDLE_MS + 60 + IDLE_MS);
});

test('a hidden page turns idle after the idle time, and showing it again is input', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  assert.equal(tracker.visibility(true, T + 1_000), null, 'hiding says nothing yet');
  assert.deepEqual(tracker.check(T + IDLE_MS), activityFrame(IDLE));
  assert.deepEqual(tracker.visibility(false, T + 60_000), activityFrame(ACTIVE));
  // Hidden long after the last input: the check on hiding finds it idle.
  assert.deepEqual(tracker.visibility(true, T + 60_000 + IDLE_MS), activityFrame(IDLE));
});

test('a flood of events around the deadline yields one frame per transition', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  const frames = [];
  const keep = (frame) => { if (frame !== null) { frames.push(frame.state); } };
  for (let t = T; t < T + 60_000; t += 100) {
    keep(tracker.check(t));
    // Input in bursts: 20 s of typing, 20 s away, 20 s of typing.
    if (t - T < 20_000 || t - T >= 40_000) { keep(tracker.input(t)); }
  }
  assert.deepEqual(frames, ['idle', 'active']);
});

test('a new socket is told the current state, whatever it is', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  assert.deepEqual(tracker.current(), activityFrame(ACTIVE));
  tracker.check(T + IDLE_MS);
  assert.deepEqual(tracker.current(), activityFrame(IDLE));
});

test('a clock that steps back does not make an active page idle', () => {
  const tracker = new IdleTracker(IDLE_MS, T);
  tracker.input(T + 4_000);
  tracker.input(T - 60_000);
  assert.equal(tracker.check(T + 4_000 + IDLE_MS - 1), null);
});

test('data-idle-ms is read as a positive number, or the default of five minutes', () => {
  assert.equal(readIdleMs('1500'), 1500);
  for (const bad of [undefined, '', 'soon', '0', '-5', 'Infinity']) {
    assert.equal(readIdleMs(bad), 300_000, String(bad));
  }
});
