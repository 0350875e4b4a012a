"""Counts samples of `perf script -F comm,tid,ip,sym` output (presence,
login samples excluded) whose stack contains a frame matching each pattern."""
import re, sys
samples = []; cur = None
for line in open(sys.argv[1]):
    if not line.strip():
        if cur: samples.append(cur); cur = None
        continue
    if not line[0].isspace():
        cur = [re.split(r'\s+\d+\s*$', line.rstrip())[0].strip(), []]
    else:
        s = line.strip().split(' ', 1); cur[1].append(s[1] if len(s) > 1 else '')
if cur: samples.append(cur)
nb = [x for x in samples if not re.search('bcrypt|blowfish', ' '.join(x[1]))]
print(f'{len(samples)} samples, {len(nb)} outside bcrypt (the logins)')
for name, pat in [
    ('on the sqlx-sqlite worker thread', None),
    ('sqlite3_* anywhere', r'^sqlite3'),
    ('sqlite3Reprepare (statement recompiled at step)', r'sqlite3Reprepare'),
    ('sqlite3VdbeExec (running statements)', r'sqlite3VdbeExec'),
    ('futex (cross-thread wakes)', r'futex'),
    ('tcp_sendmsg', r'tcp_sendmsg'),
    ('accept', r'accept'),
    ('presence::live::hub / roster', r'live::hub|roster'),
    ('snapshot', r'napshot'),
]:
    if pat is None:
        n = sum(1 for c, st in nb if c.startswith('sqlx-sqlite'))
    else:
        n = sum(1 for c, st in nb if any(re.search(pat, f) for f in st))
    print(f'{n:6d} {100 * n / len(nb):5.1f}%  {name}')
