"""Sorts the samples of `perf script -F comm,tid,ip,sym,dso` (presence's
server during a fan-out) by what the stack was doing, first match wins,
and prints each category's share and its microseconds per delivery.
    python3 fanout-categories.py script.txt DELIVERIES [HZ]
"""
import collections, re, sys

samples = []; cur = None
for line in open(sys.argv[1], errors='replace'):
    if not line.strip():
        if cur: samples.append(cur); cur = None
        continue
    if not line[0].isspace():
        cur = [re.split(r'\s+\d+\s*$', line.rstrip())[0].strip(), []]
    else:
        s = line.strip().split(' ', 1)
        cur[1].append(s[1] if len(s) > 1 else '')
if cur: samples.append(cur)
deliveries = int(sys.argv[2]); hz = float(sys.argv[3]) if len(sys.argv) > 3 else 999.0
us_per_sample = 1e6 / hz

def has(st, pat):
    return any(re.search(pat, f) for f in st)

SEND = r'tcp_sendmsg|__send\b|\bsendto\b|__x64_sys_sendto|__x64_sys_write|__x64_sys_writev|__libc_write|\bwritev\b|__GI___writev|sock_write_iter'
RECV = r'tcp_recvmsg|__recv\b|\brecvfrom\b|__x64_sys_recvfrom|__x64_sys_read\b|__libc_read|sock_read_iter'
RULES = [
    ('kernel: socket writes (send/write syscalls; on loopback they include the receiver\'s side)', lambda c, st: has(st, SEND)),
    ('kernel: socket reads', lambda c, st: has(st, RECV)),
    ('kernel: epoll_wait (and idle/park)', lambda c, st: has(st, r'epoll_wait|epoll_ctl')),
    ('kernel: futex (cross-thread wakes)', lambda c, st: has(st, r'futex')),
    ('kernel: other (scheduler, interrupts, timers)', lambda c, st: st and re.search(r'\[kernel', st[0] or '') and not has(st, r'presence::|actix|tokio')),
    ('connect path (handshake, session, DB; the last sockets opening)', lambda c, st: c.startswith('sqlx') or has(st, r'sqlx|sea_orm|sqlite3|InnerSessionMiddleware|InnerIdentityMiddleware|live::upgrade|users_socket|\baccept')),
    ('courier: Courier::handle, Outbox::push, wakes', lambda c, st: has(st, r'live::courier::Courier|Outbox.*push|courier::outbox::Outbox')),
    ('session actor context, polled by the outlet on each pull (WebsocketContextFut, ContextFut, mailbox pop)', lambda c, st: has(st, r'live::session::outlet') and has(st, r'WebsocketContextFut|ContextFut|pop_spin|AddressReceiver')),
    ('outlet/outbox: next_bytes, Outlet::poll_next', lambda c, st: has(st, r'live::session::outlet|Claim.*next_bytes|courier::outbox::Claim')),
    ('JSON (serde_json)', lambda c, st: has(st, r'serde_json')),
    ('hub: delivery, batches (presence::live::hub)', lambda c, st: has(st, r'presence::live::hub')),
    ('presence: session actor and other presence code', lambda c, st: has(st, r'presence::')),
    ('actix-http h1 dispatcher (poll, encode, buffers)', lambda c, st: has(st, r'actix_http::h1')),
    ('actix-web-actors WebSocket context', lambda c, st: has(st, r'actix_web_actors|WebsocketContext')),
    ('actix mailboxes / tokio LocalSet runtime', lambda c, st: has(st, r'actix::|actix_rt|tokio::|LocalSet')),
    ('allocator (jemalloc), memcpy, outside the above', lambda c, st: has(st, r'je_|jemalloc|_rjem|malloc|free|memcpy|memmove')),
]
cats = collections.Counter(); threads = collections.Counter(); leaf_kernel = 0
leaves = collections.Counter()
for comm, st in samples:
    threads[re.sub(r'\s+\d+$', '', comm).split()[0]] += 1
    if st and '[kernel' in st[0]:
        leaf_kernel += 1
    if st:
        leaves[re.sub(r'\+0x[0-9a-f]+', '', st[0])] += 1
    for name, rule in RULES:
        if rule(comm, st):
            cats[name] += 1; break
    else:
        cats['other'] += 1
n = len(samples)
print(f'{n} samples at {hz:g} Hz = {n * us_per_sample / 1e3:.0f} ms of server CPU; {deliveries} deliveries; '
      f'{n * us_per_sample / deliveries:.2f} us of server CPU per delivery')
print(f'leaf in the kernel: {leaf_kernel} ({100 * leaf_kernel / n:.1f} %), {leaf_kernel * us_per_sample / deliveries:.2f} us per delivery')
print()
print('| category (first match wins, in this order) | samples | share | us per delivery |')
print('|---|---:|---:|---:|')
for name, _ in RULES + [('other', None)]:
    v = cats[name]
    print(f'| {name} | {v} | {100 * v / n:.1f} % | {v * us_per_sample / deliveries:.2f} |')
print()
print('threads:'); [print(f'  {v:6d} {100 * v / n:5.1f} %  {k}') for k, v in threads.most_common()]
print()
print('top 30 leaf symbols:'); [print(f'  {v:6d} {100 * v / n:5.1f} %  {k}') for k, v in leaves.most_common(30)]
