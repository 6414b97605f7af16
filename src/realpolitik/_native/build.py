"""Compile the optional C kernels into one shared library.

Standard library only: the install-time build hook (``hatch_build.py``) loads this file by path before
realpolitik is importable. Developers rebuild in place after editing a ``.c`` file with::

    python -m realpolitik._native.build

The kernels are plain C99 on ``double`` arrays, called through :mod:`ctypes`; they need no Python or
NumPy headers. Floating-point contraction and fast-math are switched off so that each C expression
rounds exactly as the Python/NumPy expression it mirrors.
"""

import os
import sys
import zlib
from pathlib import Path

# subprocess, tempfile, shutil, shlex and sysconfig are imported by the functions that compile: the
# loader imports this module at run time for source_hash only

HERE = Path(__file__).resolve().parent
LIBRARY_STEM = "_rpkernels"
FLAGS = ["-O2", "-std=c99", "-fPIC", "-shared", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno"]


def library_name() -> str:
    """File name of the shared library on this platform."""
    if sys.platform == "win32":
        return LIBRARY_STEM + ".dll"
    if sys.platform == "darwin":
        return LIBRARY_STEM + ".dylib"
    return LIBRARY_STEM + ".so"


def sources(folder: Path = HERE) -> list[Path]:
    """The kernel sources, in a fixed order."""
    return sorted(folder.glob("*.c"))


def source_hash(folder: Path = HERE) -> str:
    """A digest of every kernel source and header; the library carries it to detect a stale build."""
    # CRC-32 and Adler-32 side by side: a staleness check, not a security one (zlib loads in a fraction
    # of hashlib's time, and the loader runs this on the first call of every process)
    crc, adler = 0, 1
    for p in sorted([*folder.glob("*.c"), *folder.glob("*.h")]):
        data = p.name.encode() + b"\0" + p.read_bytes().replace(b"\r\n", b"\n") + b"\0"
        crc, adler = zlib.crc32(data, crc), zlib.adler32(data, adler)
    return f"{crc:08x}{adler:08x}"


def compiler() -> list[str] | None:
    """The C compiler command: $CC, then Python's configured compiler, then cc/gcc/clang on PATH."""
    import shlex
    import shutil
    import sysconfig

    for candidate in (os.environ.get("CC"), sysconfig.get_config_var("CC")):
        if candidate:
            cmd = shlex.split(candidate)
            if cmd and shutil.which(cmd[0]):
                return cmd
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return [name]
    return None


def build(out_dir: Path = HERE, folder: Path = HERE) -> Path:
    """Compile the kernels in ``folder`` into ``out_dir``; return the library path.

    Raises ``RuntimeError`` with a one-line reason when there is no compiler or compilation fails.
    The library is written to a temporary name and moved into place, so a failed build never leaves
    a half-written file behind.
    """
    import subprocess
    import tempfile

    cc = compiler()
    if cc is None:
        raise RuntimeError("no C compiler found (set CC, or install gcc or clang)")
    srcs = sources(folder)
    if not srcs:
        raise RuntimeError(f"no kernel sources in {folder}")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / library_name()
    fd, tmp = tempfile.mkstemp(prefix=LIBRARY_STEM, suffix=".tmp", dir=out_dir)
    os.close(fd)
    cmd = [*cc, *FLAGS, f'-DRP_SOURCE_HASH="{source_hash(folder)}"', "-I", str(folder)]
    cmd += [str(s) for s in srcs] + ["-o", tmp, "-lm"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            first = (done.stderr or done.stdout).strip().splitlines()
            raise RuntimeError(f"{cc[0]} failed: {first[0] if first else 'exit ' + str(done.returncode)}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def main() -> int:
    try:
        path = build()
    except RuntimeError as err:
        print(f"realpolitik kernels: not built: {err}", file=sys.stderr)
        return 1
    print(f"realpolitik kernels: built {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
