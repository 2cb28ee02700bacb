#!/usr/bin/env bash
# Backup/restore figures on a synthetic archive, with a writer posting works during the backup.
set -eu
cd "$(dirname "$0")/../.."
M=${M:-/tmp/fanfold-measure}; rm -rf $M; mkdir -p $M
export FANFOLD_DATA_DIR=$M/data DJANGO_SETTINGS_MODULE=fanfold.settings
.venv/bin/fanfold setup --no-starter-tags | tail -1
/usr/bin/time -f "generate: %e s" .venv/bin/fanfold generate --works 20000 --bodies --body-words 2000 --seed 1 | tail -1
du -sh $M/data/fanfold.sqlite3
.venv/bin/python -c '
import django; django.setup()
import sys
from pathlib import Path
from fanfold.works.tests.factories import chapter, make_work
stop = Path(sys.argv[1]); n = 0
while not stop.exists():
    n += 1; make_work(title=f"During backup {n}", chapters=[chapter(), chapter()])
print(f"writer committed {n} works during the backup (and the 3 s before it)")
' $M/stop &
WRITER=$!
sleep 3
/usr/bin/time -f "backup: %e s wall" .venv/bin/fanfold backup $M/backup
touch $M/stop; wait $WRITER
du -sh $M/backup
FANFOLD_DATA_DIR=$M/restored /usr/bin/time -f "restore: %e s wall" .venv/bin/fanfold restore $M/backup
sqlite3 $M/restored/fanfold.sqlite3 "PRAGMA integrity_check; SELECT count(*) || ' works restored' FROM works_work;"
sqlite3 $M/data/fanfold.sqlite3 "SELECT count(*) || ' works in the live archive after the writer stopped' FROM works_work;"
FANFOLD_DATA_DIR=$M/restored /usr/bin/time -f "verify-only: %e s wall" .venv/bin/fanfold restore --verify-only $M/backup
