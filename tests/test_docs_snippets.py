"""Every code snippet of the documentation (``docs/**/*.md`` and ``README.md``) runs.

The rules, which every page is written to:

* Each ```` ```python ```` block runs, in page order, in one namespace per page (a module
  named ``__main__``, as a script's would be, so ``ext://__main__.NAME`` resolves), with
  a fresh temporary directory as the working directory (also first on ``sys.path``);
  its stdout is captured.
* If the next fenced block after it (only blank lines between) is ```` ```text ````, that
  is the expected stdout, compared exactly, line by line, except that ``...`` matches any
  run of characters within one line (like doctest's ELLIPSIS).
* ```` ```console ```` blocks: each line starting with ``$ `` is a shell command run in the
  page's temporary directory with this interpreter's ``bin/`` first on ``PATH``; the lines
  until the next ``$`` line are its expected output (stdout and stderr, the same ``...``
  rule). A command whose expected output is empty must exit 0.
* A block preceded, on the line right before its fence, by ``<!-- docs: no-run: REASON -->``
  is only compiled (python) or not run (console).
* ``--8<-- "path"`` lines (pymdown snippets, paths from the repository root) inside a block
  are replaced by the file's text, so what runs is what the page shows.

One test per page: a failure names the page, the block and its line.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # pages may start collectors and subprocesses

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
NO_RUN = re.compile(r"^\s*<!--\s*docs:\s*no-run:\s*(?P<reason>\S.*?)\s*-->\s*$")
SNIPPET = re.compile(r"""^\s*-{1,}8<-{1,}\s+(?P<q>["'])(?P<path>[^"']+)(?P=q)\s*$""")


@dataclass
class Block:
    lang: str
    code: str
    line: int  # 1-based line of the opening fence
    no_run: str | None  # the reason, when the block is marked no-run
    follows_block: bool  # only blank lines between the previous block's end and this fence


def expand_snippets(text: str) -> str:
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        match = SNIPPET.match(line)
        if match:
            included = (ROOT / match["path"]).read_text(encoding="utf-8")
            out.append(included if included.endswith("\n") else included + "\n")
        else:
            out.append(line)
    return "".join(out)


def parse_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    last_end = -2
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        lang = match["info"].strip().split(" ")[0].lstrip(".").lower() if match["info"] else ""
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                break
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        between = lines[last_end + 1 : start] if last_end >= 0 else ["x"]
        previous = lines[start - 1] if start > 0 else ""
        no_run = NO_RUN.match(previous)
        blocks.append(Block(
            lang=lang,
            code=expand_snippets("\n".join(body) + "\n") if body else "",
            line=start + 1,
            no_run=no_run["reason"] if no_run else None,
            follows_block=all(not line.strip() for line in between),
        ))  # fmt: skip
        last_end = i
        i += 1
    return blocks


def ellipsis_match(expected: str, got: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, got) is not None


def compare(expected: str, got: str, where: str) -> None:
    want = expected.rstrip("\n").splitlines() if expected.strip() else []
    have = got.rstrip("\n").splitlines() if got.strip() else []
    diff = [
        f"  line {n + 1}:\n    expected: {w!r}\n    got:      {h!r}"
        for n, (w, h) in enumerate(zip(want, have, strict=False))
        if not ellipsis_match(w, h)
    ]
    if len(want) != len(have) or diff:
        raise AssertionError(
            f"{where}: output differs from the page\n"
            + "\n".join(diff[:5])
            + f"\n--- expected ({len(want)} lines)\n{expected}--- got ({len(have)} lines)\n{got}"
        )


def console_steps(code: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"console block: output line before any '$ ' command: {line!r}")
    return [(cmd, "\n".join(out).rstrip("\n") + "\n" if out else "") for cmd, out in steps]


@contextlib.contextmanager
def isolated_page(workdir: Path) -> Iterator[types.ModuleType]:
    """cwd, sys.path, ``__main__``, logging and structlog as a fresh script would have them."""
    old_cwd = os.getcwd()
    old_main = sys.modules.get("__main__")
    old_modules = set(sys.modules)
    old_path = sys.path[:]
    root = logging.getLogger()
    old_root = root.handlers[:], root.level
    old_loggers = set(logging.Logger.manager.loggerDict)
    root.handlers[:] = []  # a fresh script's root has no handler (pytest's included)
    module = types.ModuleType("__main__")
    module.__file__ = str(workdir / "page.py")
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))
    sys.modules["__main__"] = module
    try:
        yield module
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        if old_main is not None:
            sys.modules["__main__"] = old_main
        for name in set(sys.modules) - old_modules:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file.startswith(str(workdir)):
                del sys.modules[name]
        for handler in root.handlers[:]:
            if handler not in old_root[0]:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = old_root[0]
        root.setLevel(old_root[1])
        for name, logger in list(logging.Logger.manager.loggerDict.items()):
            if isinstance(logger, logging.Logger) and (
                name not in old_loggers or logger.handlers
            ):
                for handler in logger.handlers[:]:
                    logger.removeHandler(handler)
                    handler.close()
                logger.setLevel(logging.NOTSET)
                logger.propagate = True
                logger.disabled = False
        structlog = sys.modules.get("structlog")
        if structlog is not None:
            structlog.reset_defaults()
            structlog.contextvars.clear_contextvars()


def run_page(page: Path, workdir: Path) -> None:
    name = page.relative_to(ROOT).as_posix()
    blocks = parse_blocks(page.read_text(encoding="utf-8"))
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    out = io.StringIO()
    with isolated_page(workdir) as module, contextlib.redirect_stdout(out):
        for index, block in enumerate(blocks):
            where = f"{name}, block {index + 1} ({block.lang or 'plain'}, line {block.line})"
            if block.lang in ("python", "py"):
                code = compile(block.code, f"{name}:{block.line}", "exec")
                if block.no_run:
                    continue
                start = out.tell()
                try:
                    exec(code, module.__dict__)
                except BaseException as exc:
                    raise AssertionError(f"{where} raised {exc!r}") from exc
                for handler in logging.getLogger().handlers:
                    handler.flush()
                got = out.getvalue()[start:]
                after = blocks[index + 1] if index + 1 < len(blocks) else None
                if after is not None and after.lang == "text" and after.follows_block:
                    compare(after.code, got, where)
            elif block.lang == "console" and not block.no_run:
                for cmd, expected in console_steps(block.code):
                    proc = subprocess.run(
                        cmd, shell=True, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                        timeout=300, check=False,
                    )  # fmt: skip
                    step = f"{where}, command `{cmd}`"
                    if not expected and proc.returncode != 0:
                        raise AssertionError(f"{step} exited {proc.returncode}:\n{proc.stdout}")
                    compare(expected, proc.stdout, step)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_page_snippets_run_and_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    run_page(page, tmp_path)


# ------------------------------------------------------------------ the rules themselves


RULES_PAGE = '''
```python
print("a")
print("time 12:00:01 id 7")
```

```text
a
time ... id 7
```

<!-- docs: no-run: needs a real SIEM -->
```python
raise SystemExit("never runs")
```

```console
$ python -c "print('hi'); print('x=1')"
hi
x=...
$ python -c "pass"
```
'''


def test_the_rules_on_a_sample_page(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "sample.md"
    page.parent.mkdir()
    page.write_text(RULES_PAGE, encoding="utf-8")
    blocks = parse_blocks(RULES_PAGE)
    assert [b.lang for b in blocks] == ["python", "text", "python", "console"]
    assert blocks[2].no_run == "needs a real SIEM"
    assert blocks[1].follows_block and not blocks[2].follows_block  # the comment is between
    assert console_steps(blocks[3].code) == [
        ("python -c \"print('hi'); print('x=1')\"", "hi\nx=...\n"),
        ('python -c "pass"', ""),
    ]
    work = tmp_path / "work"
    work.mkdir()
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        run_page(page, work)
        page.write_text(RULES_PAGE.replace("id 7\n```\n\n<!--", "id 8\n```\n\n<!--"), "utf-8")
        with pytest.raises(AssertionError, match=r"sample\.md, block 1 .*line 2"):
            run_page(page, work)
    finally:
        ROOT = saved


def test_ellipsis_stays_within_one_line() -> None:
    assert ellipsis_match("a...c", "abbbc")
    assert ellipsis_match("a...", "a")
    assert not ellipsis_match("a...c", "ab\nc")
    assert not ellipsis_match("a.c", "abc")  # only "..." is special
