"""The durable disk queue behind ``spool_dir=``.

Layout of a spool directory::

    lock                  flock()ed by the one process that owns the directory
    cursor                16 bytes: segment number and offset of the oldest unacknowledged record
    0000000000000007.seg  segments, oldest first; each record is
                          [4-byte big-endian length][4-byte CRC-32][payload]

Records are appended with one ``write()`` each, so a killed process (``kill -9``) leaves
them in the page cache and the next owner reads them; ``fsync`` (every
*sync_interval* seconds and on flush) makes them survive a power loss or OS crash too.
A segment file is removed only after every record in it was acknowledged; the cursor
moves after each acknowledged batch, so a crash re-sends at most the batch in flight.
When the spool would exceed *max_bytes*, its oldest segment is dropped (counted).

Not thread-safe: the engine calls every method under its own lock, except the sync
thread, which only fsyncs a duplicate of the current file descriptor.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from pathlib import Path

__all__ = ["Spool", "SpoolLockedError"]

_HEADER = struct.Struct(">II")
_CURSOR = struct.Struct(">QQ")
_READ_CHUNK = 1 << 18


class SpoolLockedError(ValueError):
    """Another process owns the spool directory."""


class Spool:
    def __init__(self, directory: str | os.PathLike[str], max_bytes: int, sync_interval: float):
        try:
            import fcntl
        except ImportError as exc:  # pragma: no cover - Windows
            raise ValueError("spool_dir needs a POSIX system (fcntl.flock)") from exc
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.sync_interval = sync_interval
        self.segment_bytes = max(4096, min(16 << 20, max_bytes // 8))
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.pread(self._lock_fd, 32, 0).decode("ascii", "replace").strip()
            os.close(self._lock_fd)
            raise SpoolLockedError(
                f"spool_dir {str(self.directory)!r} is in use by another process"
                f"{f' (pid {owner})' if owner else ''}; each process needs its own spool_dir"
            ) from None
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, f"{os.getpid()}\n".encode(), 0)

        # seq -> size in bytes of the readable part of each segment, oldest first
        self._segments: dict[int, int] = {}
        for path in sorted(self.directory.glob("*.seg")):
            try:
                self._segments[int(path.stem)] = path.stat().st_size
            except ValueError:
                continue
        self._cursor_fd = os.open(self.directory / "cursor", os.O_RDWR | os.O_CREAT, 0o600)
        raw = os.pread(self._cursor_fd, _CURSOR.size, 0)
        seq, offset = _CURSOR.unpack(raw) if len(raw) == _CURSOR.size else (0, 0)
        for old in [s for s in self._segments if s < seq]:
            self._unlink(old)
        if seq not in self._segments:
            seq, offset = (next(iter(self._segments)), 0) if self._segments else (0, 0)
        self._cur_seq, self._cur_off = seq, offset
        self._count = sum(self._count_records(s, offset if s == seq else 0) for s in self._segments)
        self._bytes = sum(self._segments.values())
        #: Records found on disk when the spool was opened (left by a previous owner).
        self.recovered = self._count

        self._wseq = max(self._segments, default=0) + 1
        self._wfd = self._open_segment(self._wseq)
        if not self._segments or seq not in self._segments:
            self._cur_seq, self._cur_off = self._wseq, 0
        self._segments[self._wseq] = 0
        self._read_fd: int | None = None
        self._read_seq = -1
        self._peeked: list[tuple[int, int]] = []
        self._dirty = False
        self._new_files = True
        self._fd_lock = threading.Lock()
        self._retired: list[int] = []  # sealed segment fds waiting for their last fsync
        self._stop = threading.Event()
        self._syncer = threading.Thread(target=self._sync_loop, name="spool sync", daemon=True)
        self._syncer.start()

    # -- layout ---------------------------------------------------------------------------

    def _path(self, seq: int) -> Path:
        return self.directory / f"{seq:016d}.seg"

    def _open_segment(self, seq: int) -> int:
        return os.open(self._path(seq), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def _unlink(self, seq: int) -> None:
        self._segments.pop(seq, None)
        if self._read_seq == seq and self._read_fd is not None:
            os.close(self._read_fd)
            self._read_fd, self._read_seq = None, -1
        try:
            os.unlink(self._path(seq))
        except FileNotFoundError:
            pass

    def _count_records(self, seq: int, offset: int) -> int:
        """Count whole records from *offset*; a torn tail shortens the segment."""
        size = self._segments[seq]
        count = 0
        try:
            with open(self._path(seq), "rb") as f:
                while offset + _HEADER.size <= size:
                    f.seek(offset)
                    head = f.read(_HEADER.size)
                    if len(head) != _HEADER.size:
                        break
                    length, _ = _HEADER.unpack(head)
                    if offset + _HEADER.size + length > size:
                        break
                    offset += _HEADER.size + length
                    count += 1
        except OSError:  # removed behind our back: nothing readable is left in it
            pass
        self._segments[seq] = offset
        return count

    def __len__(self) -> int:
        return self._count

    # -- writing (logging thread) -----------------------------------------------------------

    def put(self, data: bytes) -> int:
        """Append one record; returns how many old records were dropped to make room."""
        record = _HEADER.pack(len(data), zlib.crc32(data)) + data
        size = len(record)
        lost = 0
        if size > self.max_bytes:
            return 1
        if self._segments[self._wseq] + size > self.segment_bytes and self._segments[self._wseq]:
            self._rotate()
        while self._bytes + size > self.max_bytes and len(self._segments) > 1:
            lost += self._drop_oldest()
        os.write(self._wfd, record)
        self._segments[self._wseq] += size
        self._bytes += size
        self._count += 1
        self._dirty = True
        return lost

    def _rotate(self) -> None:
        with self._fd_lock:
            self._retired.append(self._wfd)
            self._wseq += 1
            self._wfd = self._open_segment(self._wseq)
            self._new_files = True
        self._segments[self._wseq] = 0

    def _drop_oldest(self) -> int:
        seq = next(iter(self._segments))
        start = self._cur_off if seq == self._cur_seq else 0
        lost = self._count_records(seq, start) if seq >= self._cur_seq else 0
        self._bytes -= self._segments[seq]
        self._unlink(seq)
        if seq == self._cur_seq:
            self._cur_seq, self._cur_off = next(iter(self._segments)), 0
            self._save_cursor()
        self._count -= lost
        return lost

    # -- reading and acknowledging (sender thread) ---------------------------------------

    def peek(self, max_records: int, max_bytes: int) -> list[bytes]:
        """The oldest unacknowledged records (at least one if any), not removed.

        A torn or corrupt record (possible only in a segment left by a crash) ends its
        segment: the rest of that segment is skipped.
        """
        batch: list[bytes] = []
        self._peeked = []
        seq, offset = self._cur_seq, self._cur_off
        total = 0
        while len(batch) < max_records and seq in self._segments:
            end = self._segments[seq]
            if offset + _HEADER.size > end:
                if seq == self._wseq:
                    break
                seq, offset = self._following(seq), 0
                continue
            try:
                fd = self._reader(seq)
                head = os.pread(fd, _HEADER.size, offset)
            except OSError:  # the segment vanished or cannot be read: skip it
                self._segments[seq] = offset
                continue
            if len(head) != _HEADER.size:
                self._segments[seq] = offset  # shorter than recorded
                continue
            length, crc = _HEADER.unpack(head)
            if offset + _HEADER.size + length > end:
                self._segments[seq] = offset  # torn tail
                continue
            if batch and total + length > max_bytes:
                break
            try:
                data = os.pread(fd, length, offset + _HEADER.size)
            except OSError:
                data = b""
            if len(data) != length or zlib.crc32(data) != crc:
                self._segments[seq] = offset  # corrupt: skip the rest
                continue
            offset += _HEADER.size + length
            batch.append(data)
            total += length
            self._peeked.append((seq, offset))
        if not batch:
            self._count = 0  # nothing readable is left: do not let the sender spin
        return batch

    def _following(self, seq: int) -> int:
        for other in self._segments:
            if other > seq:
                return other
        return self._wseq

    def _reader(self, seq: int) -> int:
        if self._read_seq != seq or self._read_fd is None:
            old, self._read_fd, self._read_seq = self._read_fd, None, -1
            if old is not None:
                os.close(old)
            self._read_fd = os.open(self._path(seq), os.O_RDONLY)
            self._read_seq = seq
        return self._read_fd

    def ack(self, count: int) -> None:
        """The first *count* records of the last :meth:`peek` are done (delivered or
        rejected): move the cursor past them and remove finished segments."""
        done, self._peeked = self._peeked[:count], self._peeked[count:]
        moved = False
        for seq, end in done:
            if seq not in self._segments or (seq, end) <= (self._cur_seq, self._cur_off):
                continue  # dropped meanwhile (already counted)
            self._cur_seq, self._cur_off = seq, end
            self._count -= 1
            moved = True
        if not moved:
            return
        for old in [s for s in self._segments if s < self._cur_seq]:
            self._bytes -= self._segments[old]
            self._unlink(old)
        if self._cur_seq != self._wseq and self._cur_off >= self._segments[self._cur_seq]:
            self._bytes -= self._segments[self._cur_seq]
            self._unlink(self._cur_seq)
            self._cur_seq, self._cur_off = self._following(self._cur_seq), 0
        self._save_cursor()

    def _save_cursor(self) -> None:
        os.pwrite(self._cursor_fd, _CURSOR.pack(self._cur_seq, self._cur_off), 0)

    # -- durability -------------------------------------------------------------------------

    def sync(self) -> None:
        """fsync what was written (called on flush and by the sync thread)."""
        with self._fd_lock:
            retired, self._retired = self._retired, []
            is_open = self._wfd >= 0
            fds = [os.dup(self._wfd), os.dup(self._cursor_fd)] if is_open else []
            new_files, self._new_files = self._new_files, False
        self._dirty = False
        if new_files and is_open:  # new segment files: make their directory entries durable
            fds.append(os.open(self.directory, os.O_RDONLY))
        for fd in retired + fds:
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def _sync_loop(self) -> None:
        while not self._stop.wait(self.sync_interval):
            try:
                if self._dirty or self._retired:
                    self.sync()
            except OSError:  # pragma: no cover - disk gone; writes will report it
                pass

    def close(self) -> None:
        """fsync, close every file and release the directory."""
        self._stop.set()
        self.sync()
        with self._fd_lock:
            fds = [self._wfd, self._cursor_fd, self._lock_fd]
            self._wfd = -1
        if self._read_fd is not None:
            fds.append(self._read_fd)
            self._read_fd = None
        if self._segments.get(self._wseq) == 0 and self._cur_seq != self._wseq:
            self._unlink(self._wseq)
        elif self._count == 0:
            for seq in list(self._segments):
                self._unlink(seq)
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def forget(self) -> None:
        """In a forked child: release the inherited descriptors (the parent keeps its
        lock and files)."""
        fds = [self._wfd, self._cursor_fd, self._lock_fd, *self._retired]
        if self._read_fd is not None:
            fds.append(self._read_fd)
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
