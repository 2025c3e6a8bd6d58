#!/bin/bash
# Issue 16, stored formats (docs/performance.md): a pull of 20 000 sessions into a fresh SQLite file and
# `demo --sessions N`, a base build (BASE: its dist/src/cli/main.js) and this one, interleaved; the targets get
# their partners first (this build: --version 2.2.1, one stored format). Prints CPU (user sys), wall, max RSS and
# the file size per run.  Usage: [ROUNDS=3] [DEMO_N=100000] [DEMO_ROUNDS=2] [WORK=dir] bench/stored-formats.sh
set -u
W=${WORK:-$(mktemp -d)}
BASE=${BASE:-/work/wt/base/dist/src/cli/main.js}
NEW=${NEW:-$(cd "$(dirname "$0")/.." && pwd)/dist/src/cli/main.js}
PORT=18751
ROUNDS=${ROUNDS:-3}
DEMO_N=${DEMO_N:-100000}
cd $W
if [ ! -f seed.db ]; then
  node $BASE demo --db seed.db --sessions 20000 --emsp NL-EMS --now 2025-06-01T00:00:00Z >/dev/null
  node $BASE partners add --db seed.db --country-code NL --party-id EMS --token tok-nl >/dev/null
fi
node $BASE serve --db seed.db --port $PORT > serve.log 2>&1 &
SERVE=$!
sleep 3
prep() { # build file version
  rm -f $2 $2-wal $2-shm
  node $1 migrate --db $2 >/dev/null
  if [ "$3" = new ]; then
    node $1 partners add --db $2 --country-code NL --party-id EMS --token x-nl --version 2.2.1 >/dev/null
  else
    node $1 partners add --db $2 --country-code NL --party-id EMS --token x-nl >/dev/null
  fi
}
size() { du -cb $1 $1-wal 2>/dev/null | tail -1 | cut -f1; }
echo "## pull 20000 (page 1000) into a fresh file; loadavg $(cat /proc/loadavg)"
for r in $(seq 1 $ROUNDS); do
  for b in base new; do
    cli=$BASE; [ $b = new ] && cli=$NEW
    prep $cli p-$b.db $b
    t=$( { /usr/bin/time -f '%U %S %e %M' nice node $cli pull --db p-$b.db --url http://127.0.0.1:$PORT/ocpi/cpo/2.2.1/sessions --token tok-nl --page-size 1000 --json >/dev/null; } 2>&1 | tail -1)
    echo "pull round $r $b: user sys wall maxrssKB = $t; file bytes $(size p-$b.db); load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
kill $SERVE
echo "## demo --sessions $DEMO_N (NL-EMS, DE-EMP), SQLite; loadavg $(cat /proc/loadavg)"
for r in $(seq 1 ${DEMO_ROUNDS:-2}); do
  for b in base new; do
    cli=$BASE; [ $b = new ] && cli=$NEW
    prep $cli d-$b.db $b
    if [ $b = new ]; then node $cli partners add --db d-$b.db --country-code DE --party-id EMP --token x-de --version 2.2.1 >/dev/null; else node $cli partners add --db d-$b.db --country-code DE --party-id EMP --token x-de >/dev/null; fi
    t=$( { /usr/bin/time -f '%U %S %e %M' nice node $cli demo --db d-$b.db --sessions $DEMO_N --emsp NL-EMS,DE-EMP --now 2025-06-01T00:00:00Z >/dev/null; } 2>&1 | tail -1)
    echo "demo round $r $b: user sys wall maxrssKB = $t; file bytes $(size d-$b.db); load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
