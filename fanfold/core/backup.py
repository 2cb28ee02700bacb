"""Online backups of the whole archive, and restoring them into an empty data directory.

A backup is a folder:

    manifest.json        written last (atomically): a folder without it is an unfinished backup
    database.sqlite3     SQLite's online backup API: one consistent snapshot, taken while the
                         archive keeps serving (in WAL mode writers do not wait for it)
    database.pgdump      or, for PostgreSQL, ``pg_dump --format=custom`` (also one snapshot)
    files/...            the data directory's own files: uploads (media/), the generated secret
                         key, the mail outbox; not the database, static files or download cache,
                         which `fanfold setup` and the downloads app rebuild

The manifest records the format version, the time, the database vendor and the size and SHA-256
of every file, which `restore` checks before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from fanfold.core.env import GENERATED_FILES

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
FILES_DIR = "files"
# Rebuilt rather than kept: collected static files and the download cache. The live database
# (and its WAL and shared-memory files) is copied through the backup API instead.
SKIPPED_TOP_LEVEL = {"static", "downloads"}
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    database_bytes: int
    files: int
    files_bytes: int
    seconds: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _database_settings(alias: str = "default") -> dict[str, Any]:
    return connections[alias].settings_dict


def database_vendor(alias: str = "default") -> str:
    engine = _database_settings(alias)["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"cannot back up a database with engine {engine}")


def _sqlite_path(alias: str = "default") -> Path:
    name = str(_database_settings(alias)["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("the database is in memory; there is nothing on disk to back up")
    return Path(name).resolve()


def _pg_command(program: str, alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """The program with connection options, and an environment carrying the password."""
    db = _database_settings(alias)
    if not shutil.which(program):
        raise BackupError(f"{program} is not installed (apt-get install postgresql-client)")
    args = [program, "--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _data_files(data_dir: Path, exclude: set[Path]) -> Iterator[Path]:
    """The data directory's own files, in a stable order."""
    for root, dirs, files in os.walk(data_dir):
        root_path = Path(root)
        if root_path == data_dir:
            dirs[:] = [d for d in dirs if d not in SKIPPED_TOP_LEVEL]
        dirs[:] = sorted(d for d in dirs if (root_path / d).resolve() not in exclude)
        for name in sorted(files):
            path = root_path / name
            if path.resolve() in exclude or path.is_symlink() or not path.is_file():
                continue
            yield path


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def backup(target: Path, *, alias: str = "default") -> BackupResult:
    """Write a backup of the database and the data directory's files into the new folder target."""
    import time

    started = time.monotonic()
    target = target.expanduser().resolve()
    data_dir = Path(settings.DATA_DIR).resolve()
    if _is_inside(target, data_dir):
        raise BackupError(
            f"{target} is inside the data directory {data_dir}; choose a folder outside it "
            "(a backup there would be copied into every later backup)"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder; choose a new one")
    vendor = database_vendor(alias)
    target.mkdir(parents=True, exist_ok=True)
    exclude: set[Path] = set()

    if vendor == "sqlite":
        source = _sqlite_path(alias)
        exclude |= {Path(f"{source}{suffix}") for suffix in SQLITE_SUFFIXES}
        database_file = target / SQLITE_FILE
        _sqlite_backup(source, database_file)
    else:
        database_file = target / PG_FILE
        args, env = _pg_command("pg_dump", alias)
        args += ["--format=custom", "--file", str(database_file), str(_database_settings(alias)["NAME"])]
        completed = subprocess.run(args, env=env, capture_output=True, text=True)
        if completed.returncode != 0:
            raise BackupError(f"pg_dump failed: {completed.stderr.strip() or completed.returncode}")
    _fsync(database_file)

    # Files after the database: a file uploaded meanwhile is kept (unreferenced), never missing.
    files: list[dict[str, Any]] = []
    for path in _data_files(data_dir, exclude):
        relative = path.relative_to(data_dir)
        copy = target / FILES_DIR / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, copy)
        except FileNotFoundError:  # deleted while we walked: it is not part of the archive any more
            continue
        _fsync(copy)
        files.append({"path": relative.as_posix(), "bytes": copy.stat().st_size, "sha256": _sha256(copy)})

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {
            "vendor": vendor,
            "file": database_file.name,
            "bytes": database_file.stat().st_size,
            "sha256": _sha256(database_file),
        },
        "files": files,
        "secret_key_in_backup": (data_dir / "secret_key").is_file(),
    }
    _write_atomically(target / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    _fsync(target)
    return BackupResult(
        path=target,
        vendor=vendor,
        database_bytes=manifest["database"]["bytes"],  # type: ignore[index]
        files=len(files),
        files_bytes=sum(f["bytes"] for f in files),
        seconds=time.monotonic() - started,
    )


def _sqlite_backup(source: Path, destination: Path) -> None:
    # A connection of our own (not Django's): the backup API reads one snapshot through it.
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(destination)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # pages=-1: copy everything in one step, inside one read transaction, so the copy is one
        # consistent moment even while others write (stepping would restart on every write).
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        raise BackupError(f"the copied database fails SQLite's integrity check: {check}")


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    created_at: str
    vendor: str
    files: int


def read_manifest(source: Path) -> dict[str, Any]:
    manifest_path = source / MANIFEST
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder")
    if not manifest_path.is_file():
        raise BackupError(
            f"{source} has no {MANIFEST}: it is not a Fanfold backup, or the backup did not finish"
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except (ValueError, OSError) as exc:
        raise BackupError(f"{manifest_path} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{manifest_path} is not a backup format this Fanfold reads (format {FORMAT_VERSION})"
        )
    return manifest


def verify(source: Path) -> dict[str, Any]:
    """The manifest, after checking every file's size and checksum; BackupError names the first bad one."""
    source = source.expanduser().resolve()
    manifest = read_manifest(source)
    entries = [(source / manifest["database"]["file"], manifest["database"])]
    entries += [(source / FILES_DIR / entry["path"], entry) for entry in manifest["files"]]
    for path, entry in entries:
        if not _is_inside(path.resolve(), source):
            raise BackupError(f"the manifest names a file outside the backup: {entry.get('path')}")
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup")
        if path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{path} does not match its checksum: the backup is damaged")
    return manifest


def _leftovers(data_dir: Path) -> list[Path]:
    """What is already in the data directory, apart from a secret key this process just generated."""
    if not data_dir.exists():
        return []
    return sorted(p for p in data_dir.iterdir() if p.resolve() not in GENERATED_FILES)


def _pg_has_tables(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        (count,) = cursor.fetchone()
    connections[alias].close()
    return bool(count)


def restore(source: Path, *, force: bool = False, alias: str = "default") -> RestoreResult:
    """Bring a backup back into this archive's (empty) data directory and database."""
    source = source.expanduser().resolve()
    manifest = verify(source)
    vendor = database_vendor(alias)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"the backup holds a {manifest['database']['vendor']} database but this archive is set up "
            f"for {vendor} (check DATABASE_URL)"
        )
    data_dir = Path(settings.DATA_DIR).resolve()
    if _is_inside(data_dir, source) or _is_inside(source, data_dir):
        raise BackupError("the backup folder and the data directory must not be inside one another")
    leftovers = _leftovers(data_dir)
    if vendor == "sqlite":
        database = _sqlite_path(alias)
        if (database.exists() or leftovers) and not force:
            shown = ", ".join(p.name for p in (leftovers or [database])[:5])
            raise BackupError(
                f"the data directory {data_dir} is not empty ({shown}); restore into an empty one "
                "(set FANFOLD_DATA_DIR), or add --force to overwrite what is there"
            )
    elif (_pg_has_tables(alias) or leftovers) and not force:
        raise BackupError(
            f"the database {_database_settings(alias)['NAME']} or the data directory {data_dir} is "
            "not empty; restore into empty ones, or add --force to replace what is there"
        )

    data_dir.mkdir(parents=True, exist_ok=True)
    connections[alias].close()
    if vendor == "sqlite":
        _restore_sqlite(source / manifest["database"]["file"], _sqlite_path(alias))
    else:
        args, env = _pg_command("pg_restore", alias)
        args += ["--dbname", str(_database_settings(alias)["NAME"]), "--no-owner", "--exit-on-error"]
        if force:
            args += ["--clean", "--if-exists"]
        args.append(str(source / manifest["database"]["file"]))
        completed = subprocess.run(args, env=env, capture_output=True, text=True)
        if completed.returncode != 0:
            raise BackupError(f"pg_restore failed: {completed.stderr.strip() or completed.returncode}")

    for entry in manifest["files"]:
        destination = data_dir / entry["path"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        tmp = destination.with_name(f".{destination.name}.restoring")
        shutil.copy2(source / FILES_DIR / entry["path"], tmp)
        _fsync(tmp)
        os.replace(tmp, destination)
    if (data_dir / "secret_key").exists():
        (data_dir / "secret_key").chmod(0o600)
    return RestoreResult(created_at=manifest["created_at"], vendor=vendor, files=len(manifest["files"]))


def _restore_sqlite(backup_file: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    tmp = database.with_name(f".{database.name}.restoring")
    shutil.copyfile(backup_file, tmp)
    connection = sqlite3.connect(tmp)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    if check != "ok":
        tmp.unlink()
        raise BackupError(f"the backed-up database fails SQLite's integrity check: {check}")
    _fsync(tmp)
    # An old -wal beside the new file would be replayed into it: remove it before the swap.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, database)
    _fsync(database.parent)
