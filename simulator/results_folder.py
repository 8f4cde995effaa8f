"""Results folders: written whole or not at all, and never at the cost of a user's file.

Every command that writes a folder goes through :func:`write_folder`:

* the files go into a hidden *staging* sibling, named after the process that
  made it (``.staffsim-<pid>-<start time>-<random>``), then replace the target
  in one atomic exchange of the two folders (two renames where the system has
  no exchange). A crash leaves the previous complete results or the new ones;
* the last file written is the marker, :data:`MARKER`, listing every file and
  folder staffsim wrote and which command wrote them. An existing folder is
  replaced only when it carries a marker (or is empty), and then only what the
  marker lists goes: anything else in it, the user's, moves across into the new
  folder before the exchange;
* the target is locked (an ``flock`` on ``.<name>.staffsim-lock`` beside it) from
  before the simulation until the exchange, so a second run on the same ``--out``
  refuses instead of making one run's results vanish;
* staging folders left by a process that no longer exists (SIGKILL, power cut)
  are tidied by the next run beside them: incomplete ones removed, complete ones
  put back where they belong, a user's files returned to their folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator import processes
from simulator.errors import ScenarioError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, the rest still holds
    fcntl = None  # type: ignore[assignment]

MARKER = ".staffsim-results.json"
"""The last file of every results folder: what staffsim wrote there, and with which command."""
HIDDEN_PREFIX = ".staffsim-"
"""Staging folders and temporary files start with this, then ``<pid>-<start time>-``."""
LOCK_SUFFIX = ".staffsim-lock"
NAME_LIMIT = 255
PATH_LIMIT = 4096

_held: dict[Path, int] = {}  # targets this process has claimed -> their lock descriptor


# --------------------------------------------------------------------------- checks


def check_out_path(path: Path, option: str = "--out") -> None:
    """Refuse a path no file system could hold: a name or the whole path too long,
    or a file where a folder must be."""
    absolute = Path(os.path.abspath(path))
    name_limit = _limit("PC_NAME_MAX", NAME_LIMIT)
    for part in absolute.parts[1:]:
        if len(os.fsencode(part)) > name_limit:
            raise ScenarioError(
                f"the name '{part[:40]}...' is longer than the {name_limit} bytes "
                "a file name may have",
                source=f"{option} {_short(path)}",
                fix=f"choose a shorter name, e.g. {option} results/my-run",
            )
    path_limit = _limit("PC_PATH_MAX", PATH_LIMIT)
    if len(os.fsencode(str(absolute))) >= path_limit:
        raise ScenarioError(
            f"the path is longer than the {path_limit} bytes the system allows",
            source=f"{option} {_short(path)}",
            fix=f"choose a shorter path, e.g. {option} results/my-run",
        )
    ancestor = nearest_existing(absolute.parent)
    if not ancestor.is_dir():
        raise ScenarioError(
            f"'{ancestor}' is a file, so nothing can be made inside it",
            source=f"{option} {path}",
            fix="choose another path",
        )


def _limit(name: str, default: int) -> int:
    try:
        return min(os.pathconf("/", name), default)
    except (OSError, ValueError):  # pragma: no cover - systems without the setting
        return default


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 80 else text[:60] + "..." + text[-16:]


def check_out_dir(out_dir: Path) -> None:
    """Refuse, before anything runs, an ``--out`` that could not (or must not) be replaced:
    a file, or a folder that is neither empty nor a staffsim results folder."""
    check_out_path(out_dir)
    out_dir = Path(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise ScenarioError(
            "this is an existing file or link, not a results folder",
            source=f"--out {out_dir}",
            fix="name a folder that does not exist yet, or remove the file",
        )
    if out_dir.is_dir() and _foreign(out_dir):
        raise ScenarioError(
            f"this is not a staffsim results folder (it holds files but no {MARKER}), "
            "so nothing in it will be replaced",
            source=f"--out {out_dir}",
            fix="choose a new or empty folder, e.g. --out results/my-run",
        )


def _foreign(folder: Path) -> bool:
    """Not empty, and no marker: a folder staffsim must not replace."""
    return read_marker(folder) is None and any(folder.iterdir())


def nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists: where a mkdir would start."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


# --------------------------------------------------------------------------- claim


@contextmanager
def claim(out_dir: Path) -> Iterator[Path]:
    """Hold ``out_dir`` for this process: checked, its parents made, locked, and the
    stale staging beside it tidied; on the way out the lock goes, and so do the
    parents made here if nothing was written into them. Re-entrant."""
    given, out_dir = Path(out_dir), Path(os.path.abspath(out_dir))
    if out_dir in _held:
        yield out_dir
        return
    check_out_dir(given)
    made: list[Path] = []
    try:
        with processes.signals_deferred():  # a signal between mkdir and bookkeeping leaks
            made += _make_parents(out_dir, given)
            _held[out_dir] = _lock(out_dir, given)
        tidy_stale(out_dir.parent)
        yield out_dir
    finally:
        with processes.signals_deferred():
            if out_dir in _held:
                _unlock(out_dir.parent / lock_name(out_dir.name), _held.pop(out_dir))
            for folder in reversed(made):
                try:
                    folder.rmdir()
                except OSError:
                    break  # something is in it now


def _make_parents(out_dir: Path, given: Path) -> list[Path]:
    """Make the folders above ``out_dir`` that are missing (outermost first)."""
    missing = []
    parent = out_dir.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
    except OSError as error:
        for folder in reversed(made):
            folder.rmdir()
        raise _cannot_create(given, error) from None
    return made


def _cannot_create(out_dir: Path, error: OSError) -> ScenarioError:
    return ScenarioError(
        f"cannot create a folder there ({error.strerror or error})",
        source=f"--out {_short(out_dir)}",
        fix="choose a folder you can write to, e.g. --out results/my-run",
    )


def lock_name(name: str) -> str:
    """The lock file's name beside a target called ``name`` (hashed when too long)."""
    if len(os.fsencode(name)) > NAME_LIMIT - len(LOCK_SUFFIX) - 1:
        name = name[:100] + "-" + hashlib.sha1(os.fsencode(name)).hexdigest()[:10]
    return f".{name}{LOCK_SUFFIX}"


def _lock(out_dir: Path, given: Path | None = None) -> int:
    """Take the lock on ``out_dir`` or refuse at once (naming it as ``given``);
    returns the descriptor."""
    path = out_dir.parent / lock_name(out_dir.name)
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as error:
            raise _cannot_create(given or out_dir, error) from None
        if fcntl is None:  # pragma: no cover
            return handle
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(handle, 32).decode(errors="replace").strip() or "unknown"
            os.close(handle)
            raise ScenarioError(
                f"another staffsim run (process {holder}) is writing this folder",
                source=f"--out {given or out_dir}",
                fix="wait for it to finish, or choose another --out",
            ) from None
        try:  # the file may have been unlinked by its last holder after we opened it
            current = os.stat(path).st_ino == os.fstat(handle).st_ino
        except FileNotFoundError:
            current = False
        if current:
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
            return handle
        os.close(handle)


def _unlock(path: Path, handle: int) -> None:
    """Remove the lock file, then let go: whoever waits re-checks the file is current."""
    try:
        path.unlink(missing_ok=True)
    finally:
        os.close(handle)


# --------------------------------------------------------------------------- writing


def write_folder(out_dir: Path, fill: Callable[[Path], None], *, kind: str) -> Path:
    """Write a folder atomically: ``fill(staging)`` writes every file into a hidden
    sibling, the marker is added (``kind`` names the command), and the sibling
    replaces ``out_dir`` (see the module docstring); on any failure it is removed."""
    with claim(out_dir) as target:
        staging = target.parent / staging_name()
        try:
            staging.mkdir(mode=0o700)
            fill(staging)
            write_marker(staging, kind=kind, target=target.name)
            staging.chmod(0o777 & ~umask())  # mkdir made it private
            with processes.signals_deferred():
                _swap_in(staging, target)
        except BaseException:
            discard(staging)
            raise
    return target


def staging_name(suffix: str = "") -> str:
    """A fresh hidden name that says which process made it."""
    return f"{HIDDEN_PREFIX}{os.getpid()}-{processes.own_token()}-{secrets.token_hex(4)}{suffix}"


def umask() -> int:
    """The process's file-creation mask (read without changing it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_marker(folder: Path, *, kind: str, target: str) -> None:
    """List everything in ``folder`` (folders end in ``/``) in its marker, written last."""
    files = []
    for root, folders, names in os.walk(folder):
        inside = Path(root).relative_to(folder)
        files += [(inside / name).as_posix() + "/" for name in folders]
        files += [(inside / name).as_posix() for name in names]
    data = {"written_by": "staffsim", "command": kind, "folder": target, "files": sorted(files)}
    (folder / MARKER).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of ``folder``, or ``None`` when it has none (or a broken one)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    return data


def _unlisted(folder: Path, marker: dict[str, Any]) -> list[str]:
    """What in ``folder`` its marker does not list: the user's (topmost paths only)."""
    listed = set(marker["files"])
    found: list[str] = []

    def visit(directory: Path, prefix: str) -> None:
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            relative = prefix + entry.name
            if not prefix and entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False) and relative + "/" in listed:
                visit(Path(entry.path), relative + "/")
            elif entry.is_dir(follow_symlinks=False) or relative not in listed:
                found.append(relative)

    visit(folder, "")
    return found


def _remove_listed(folder: Path, marker: dict[str, Any]) -> bool:
    """Delete what the marker lists, then the marker and ``folder`` if that empties it;
    anything else stays. Whether ``folder`` is gone."""
    entries = sorted(set(marker["files"]), key=lambda name: name.count("/"), reverse=True)
    for name in entries:  # deepest first, so folders are empty when their turn comes
        path = folder / name.rstrip("/")
        try:
            if name.endswith("/"):
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()
            elif not path.is_dir() or path.is_symlink():
                path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            if error.errno != errno.ENOTEMPTY:
                raise
    (folder / MARKER).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


def discard(staging: Path) -> None:
    """Remove a staging folder this process gave up on: all of it before the marker is
    written (only staffsim's files are in it), only what the marker lists after."""
    if not staging.exists():
        return
    marker = read_marker(staging)
    if marker is None:
        shutil.rmtree(staging, ignore_errors=True)
    else:
        _remove_listed(staging, marker)


def _swap_in(staging: Path, target: Path) -> None:
    """Move the user's files of ``target`` into ``staging``, exchange the two, and
    remove the previous results (now at the staging path)."""
    if os.path.lexists(target) and (target.is_symlink() or not target.is_dir()):
        raise ScenarioError(
            "this is an existing file or link, not a results folder",
            source=f"--out {target}",
            fix="name a folder that does not exist yet, or remove the file",
        )
    if not target.exists():
        os.rename(staging, target)
        return
    check_out_dir(target)  # again, under the lock: someone may have added files meanwhile
    previous = read_marker(target)
    moved = _move_unlisted(target, staging, previous) if previous is not None else []
    try:
        old = _exchange(staging, target)
    except BaseException:
        _move(moved, staging, target)
        raise
    if previous is None:
        old.rmdir()  # it was empty
    else:
        _remove_listed(old, previous)


def _move_unlisted(target: Path, staging: Path, marker: dict[str, Any]) -> list[str]:
    """Move the user's entries of ``target`` to the same places in ``staging``."""
    entries = _unlisted(target, marker)
    clashes = [name for name in entries if os.path.lexists(staging / name)]
    if clashes:
        raise ScenarioError(
            f"'{clashes[0]}' here was not written by staffsim, and this run writes "
            "a file of that name",
            source=f"--out {target}",
            fix="move that file out of the folder, or choose another --out",
        )
    return _move(entries, target, staging)


def _move(names: list[str], source: Path, destination: Path) -> list[str]:
    """Rename each of ``names`` from ``source`` to ``destination``; on a failure the
    ones already moved go back. The names moved."""
    moved: list[str] = []
    try:
        for name in names:
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            os.rename(source / name, destination / name)
            moved.append(name)
    except BaseException:
        for name in reversed(moved):
            os.rename(destination / name, source / name)
        raise
    return moved


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(staging: Path, target: Path) -> Path:
    """Put ``staging`` at ``target``; returns where the previous ``target`` is now.
    One atomic exchange where Linux offers it, else two renames (undone on failure)."""
    if _rename_exchange(staging, target):
        return staging
    aside = staging.with_name(staging.name + "-old")
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)  # put the previous results back
        raise
    return aside


def _rename_exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with ``renameat2``; ``False`` where unsupported."""
    function = getattr(_LIBC, "renameat2", None) if _LIBC is not None else None
    if function is None:
        return False
    done = function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _load_libc() -> Any:
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    except OSError:  # pragma: no cover
        return None
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        function.argtypes.append(ctypes.c_uint)
        function.restype = ctypes.c_int
    return libc


_LIBC = _load_libc()


# --------------------------------------------------------------------------- stale staging

_OWNER = re.compile(r"^\.staffsim-(\d+)-(\d+)-[0-9a-f]+")


def tidy_stale(parent: Path) -> None:
    """Tidy what runs that no longer exist left in ``parent``: their staging folders
    and temporary files, and lock files nobody holds. Best effort: what cannot be
    tidied now is left for the next run."""
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return
    for name in names:
        if name.endswith(LOCK_SUFFIX):
            _tidy_lock(parent / name)
            continue
        owner = _OWNER.match(name)
        if owner is None or processes.alive(int(owner[1]), owner[2]):
            continue
        try:
            _recover(parent, parent / name)
        except (OSError, ScenarioError):
            continue


def _tidy_lock(path: Path) -> None:
    if fcntl is None:  # pragma: no cover
        return
    try:
        handle = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(path).st_ino == os.fstat(handle).st_ino:
            path.unlink()
    except OSError:
        pass  # held (a live run), or already gone
    finally:
        os.close(handle)


def _recover(parent: Path, stale: Path) -> None:
    """Make a dead run's staging folder (or temporary file) ours, then: remove it if
    it is incomplete; put it in place if it is complete results whose folder is
    missing; otherwise return its unlisted (user's) files to their folder."""
    mine = parent / staging_name()
    os.rename(stale, mine)  # FileNotFoundError: another run took it first
    if mine.is_symlink() or not mine.is_dir():
        mine.unlink()
        return
    marker = read_marker(mine)
    if marker is None:
        shutil.rmtree(mine)
        return
    name = marker.get("folder")
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or os.sep in name:
        name = None
    target = parent / name if name else None
    with _locked(target):
        if target is not None and not os.path.lexists(target):
            os.rename(mine, target)
            return
        if target is not None and target.is_dir() and not target.is_symlink():
            free = [n for n in _unlisted(mine, marker) if not os.path.lexists(target / n)]
            _move(free, mine, target)
        if not _remove_listed(mine, marker):
            os.rename(mine, parent / f"staffsim-leftovers-{secrets.token_hex(3)}")


@contextmanager
def _locked(target: Path | None) -> Iterator[None]:
    if target is None or target in _held:
        yield
        return
    handle = _lock(target)
    try:
        yield
    finally:
        _unlock(target.parent / lock_name(target.name), handle)
