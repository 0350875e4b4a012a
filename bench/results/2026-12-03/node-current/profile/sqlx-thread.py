"""What sqlx's SQLite worker thread did, from `perf script -F comm,tid,ip,sym`
of a connect run: SQLite itself, futex (park/wake), its channel; leaf symbols."""
import collections, re, sys
samples = []; cur = None
for line in open(sys.argv[1], errors='replace'):
    if not line.strip():
        if cur: samples.append(cur); cur = None
        continue
    if not line[0].isspace(): cur = [line.split()[0], []]
    else:
        s = line.strip().split(' ', 1); cur[1].append(s[1] if len(s) > 1 else '')
if cur: samples.append(cur)
sq = [s for s in samples if s[0].startswith('sqlx')]
print(len(sq), 'samples on the sqlx-sqlite worker thread, of', len(samples))
c = collections.Counter()
for comm, st in sq:
    j = ' '.join(st)
    c['sqlite3' if 'sqlite3' in j else 'futex (wake/park)' if 'futex' in j
      else 'channel' if re.search('flume|crossbeam|channel', j) else 'other'] += 1
for k, v in c.most_common(): print(f'{v:6d}  {k}')
print('leaf symbols:')
for k, v in collections.Counter(s[1][0] for s in sq if s[1]).most_common(12): print(f'{v:6d}  {k}')
