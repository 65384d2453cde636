"""Whoosh's segment files read by position: shared by every thread, never copied in memory.

Whoosh 2.7.4 maps each compound segment file (``*.seg``) with mmap and hands its readers a
``BufferFile`` per sub-file, which wraps the mapped bytes in a ``BytesIO``: that copies the
whole sub-file (postings, term table) into the process's own memory when a reader opens.
On SaudiNewsNet one searcher cost 530 MB of RSS (270 MB copied, 260 MB of mapped pages
touched by the copy), and every thread and every generation opened its own.

Here a segment file is one descriptor read with ``os.pread``: nothing is copied up front,
the kernel's page cache (shared with other processes, not counted in our RSS) holds what was
read, and one open file serves every thread. Positional reads (``get``, what Whoosh's term
table, columns and block data use) have no state; the ``seek``/``read`` cursor that
Whoosh's posting matchers and pickles use is kept per thread, so two threads reading the
same file never move each other's position.
"""

from __future__ import annotations

import os
import sys
import threading
from array import array

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class FileClosed(ValueError):
    """A read after the file was closed (its descriptor number may belong to another file)."""


class _Descriptor:
    """One open descriptor, shared by a file and its sub-files; -1 once closed."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


class _Cursor:
    """The ``file`` under a SharedFile: read/seek/tell with one position per thread."""

    def __init__(self, owner: SharedFile) -> None:
        self._owner = owner
        self._local = threading.local()

    def tell(self) -> int:
        return getattr(self._local, "pos", 0)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self.tell()
        elif whence == 2:
            offset += self._owner.length
        self._local.pos = offset
        return offset

    def read(self, size: int = -1) -> bytes:
        pos = self.tell()
        left = self._owner.length - pos
        if size is None or size < 0 or size > left:
            size = max(left, 0)
        data = self._owner.get(pos, size)
        self._local.pos = pos + len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        pos = self.tell()
        chunk = self._owner.get(pos, min(self._owner.length - pos, 256 if size < 0 else size))
        end = chunk.find(b"\n")
        data = chunk if end < 0 else chunk[: end + 1]
        self._local.pos = pos + len(data)
        return data

    def close(self) -> None:
        pass


class SharedFile(StructFile):
    """A read-only Whoosh file (or a range of one) read with os.pread; safe across threads."""

    def __init__(
        self, descriptor: _Descriptor, base: int, length: int, name: str, owns: bool = False
    ) -> None:
        super().__init__(_Cursor(self), name=name)
        self._descriptor = descriptor
        self.base = base
        self.length = length
        self._owns = owns  # the whole file: closing it closes the descriptor
        self.is_real = False

    @classmethod
    def open(cls, path: str, name: str) -> SharedFile:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        return cls(_Descriptor(fd), 0, os.fstat(fd).st_size, name, owns=True)

    def get(self, position: int, length: int) -> bytes:
        fd = self._descriptor.fd
        if fd < 0:
            raise FileClosed(f"{self._name} is closed")
        if position + length > self.length:
            length = max(self.length - position, 0)
        return os.pread(fd, length, self.base + position)

    def get_array(self, position: int, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self.get(position, length * values.itemsize))
        if sys.byteorder == "little":
            values.byteswap()  # Whoosh writes big-endian
        return values

    def subset(self, offset: int, length: int, name: str | None = None) -> SharedFile:
        return SharedFile(self._descriptor, self.base + offset, length, name or self._name)

    def close(self) -> None:
        if self.is_closed:
            return
        self.is_closed = True
        if self._owns:
            self._descriptor.close()


class SharedFileStorage(FileStorage):
    """A read-only FileStorage whose files are SharedFiles (and compound segments are read
    as ranges of their one descriptor, not mapped and copied)."""

    supports_mmap = False  # CompoundStorage then asks our file for subset() views

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)

    def open_file(self, name: str, **kwargs) -> SharedFile:
        return SharedFile.open(self._fpath(name), name)
