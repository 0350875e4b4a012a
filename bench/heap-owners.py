#!/usr/bin/env python3
"""Sums a heap profile's growth by owner: which part of the stack holds the
live bytes of the open sockets.

    bench/heap-owners.py growth-collapsed.txt SOCKETS

The input is `jeprof --collapsed --base=BEFORE AFTER` (written by
bench/heap-profile.sh): one sampled call chain a line, outermost frame
first, and its bytes. Each chain goes to the first owner in OWNERS whose
pattern matches a frame, searching from the allocation outwards, so the
innermost named owner wins. Prints bytes per socket by owner, and the
largest call sites within each.
"""

import re
import sys
from collections import defaultdict

# (owner, pattern on one frame), innermost match wins.
OWNERS = [
    ("actix-http h1 dispatcher: read and write buffers (8 KiB each)",
     r"h1::dispatcher::Dispatcher<.*>::new$"),
    ("actix-http h1: write buffer grown by the 101's head",
     r"h1::codec::Codec as .*Encoder"),
    ("actix-http h1: request head (pooled header map, extensions)",
     r"h1::codec::Codec as .*Decoder|Request<.*>::|RequestHead"),
    ("actix-http h1: payload channel, shutdown signal",
     r"h1::payload::Payload::create|GracefulShutdownSignal|graceful_shutdown"),
    ("actix-server on_connect data (TcpConnection in Extensions)",
     r"startup::server::serve::\{\{closure\}\}$|Extensions::insert"),
    ("presence roster (hub: members, users)", r"presence::live::roster::"),
    ("presence courier and outbox", r"presence::live::courier::"),
    ("presence session: actor start (Connect, recipients, heartbeat)",
     r"presence::live::session::WsSession as actix::actor::Actor>::started"),
    ("presence session: actor struct and strings (peer, login)",
     r"presence::live::session::WsSession::new|presence::auth::|presence::telemetry::RequestId"),
    ("actix-web-actors: context, mailbox, body stream box (holds WsSession)",
     r"WsSession::start|WebsocketContext<.*>::with_codec|actix::address::channel::channel$"),
    ("presence hub (other)", r"presence::live::hub::"),
    ("tokio: connection task (dispatcher future)", r"LocalOwnedTasks<.*>::bind|spawn_local"),
    ("tokio: I/O registration", r"tokio::runtime::io::"),
    ("presence (other)", r"presence::"),
]


def main() -> None:
    path, sockets = sys.argv[1], int(sys.argv[2])
    owners = defaultdict(int)
    sites = defaultdict(lambda: defaultdict(int))
    total = 0
    for line in open(path, encoding="utf-8"):
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.lstrip("-").isdigit():
            continue
        n = int(count)
        frames = [re.sub(r"<[0-9a-f]{8,}>", "", f) for f in stack.split(";")]
        total += n
        owner, site = "other (libraries, runtime)", frames[-1]
        for i in range(len(frames) - 1, -1, -1):
            hit = next((name for name, pat in OWNERS if re.search(pat, frames[i])), None)
            if hit:
                owner, site = hit, frames[i]
                break
        owners[owner] += n
        sites[owner][site[:140]] += n
    print(f"growth {total} B over {sockets} sockets: {total / sockets:.0f} B per socket\n")
    print("| owner | B per socket | share |")
    print("|---|---:|---:|")
    for owner, n in sorted(owners.items(), key=lambda kv: -kv[1]):
        print(f"| {owner} | {n / sockets:.0f} | {100 * n / total:.1f} % |")
    print()
    for owner, n in sorted(owners.items(), key=lambda kv: -kv[1]):
        print(f"{owner}: {n / sockets:.0f} B per socket")
        for site, m in sorted(sites[owner].items(), key=lambda kv: -kv[1])[:4]:
            print(f"    {m / sockets:7.0f}  {site}")


if __name__ == "__main__":
    main()
