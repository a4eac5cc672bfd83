"""Run the ```python blocks of a Markdown document in order, in one namespace, as a notebook would.

A block that needs an optional dependency says so, either in its fence (```python requires=cv2) or on its
first line (``# requires: cv2`` or ``# requires: cv2, matplotlib``); it is skipped, with the reason, when
that dependency cannot be imported. Each block runs with the working directory set to ``workdir``, and
its ``print`` output is kept per block. Tracebacks point at the document's own lines.

Used by ``tests/test_tutorial.py``; run as a script to execute ``docs/tutorial.md`` inside ``docs/`` (so
its images land in ``docs/_generated/``) and write ``docs/_generated/tutorial.executed.md``, the
document with each block's output under it::

    python tests/tutorial_runner.py [path/to/doc.md]
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Block", "Notebook", "extract_blocks", "prose", "render"]

FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
REQUIRES = re.compile(r"requires[=:]\s*(?P<names>[\w.]+(?:\s*,\s*[\w.]+)*)")

# A requirement's name -> (module to import, how to install it)
KNOWN = {
    "cv2": ("cv2", "pip install opencv-python-headless==5.0.0.93"),
    "mojo": ("mojo.importer", "pip install 'purecv[mojo]'"),
    "matplotlib": ("matplotlib", "pip install matplotlib"),
}


@dataclass(frozen=True)
class Block:
    """One ```python block: its number (1-based), the line of its opening fence, its source, its needs."""

    number: int
    line: int
    source: str
    requires: tuple[str, ...]

    def listing(self) -> str:
        """The source with the document's line numbers."""
        lines = self.source.splitlines()
        return "\n".join(f"{self.line + 1 + i:5d} | {text}" for i, text in enumerate(lines))


def extract_blocks(text: str) -> list[Block]:
    """The ```python blocks of ``text`` in order (other fences, e.g. ```text, are not code)."""
    blocks = []
    for match in FENCE.finditer(text):
        info, body = match["info"].strip(), match["body"]
        if info.split(" ", 1)[0] != "python":
            continue
        first = body.split("\n", 1)[0].strip()
        marks = [
            m["names"]
            for m in (REQUIRES.search(info), REQUIRES.search(first) if first.startswith("#") else None)
            if m
        ]
        requires = tuple(name.strip() for names in marks for name in names.split(","))
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(len(blocks) + 1, line, body, requires))
    return blocks


def prose(text: str) -> str:
    """``text`` without its fenced blocks: what a reader reads as sentences."""
    return FENCE.sub("", text)


def missing(requirement: str) -> str | None:
    """Why ``requirement`` is unavailable, or None when it can be imported."""
    module, hint = KNOWN.get(requirement, (requirement, f"install {requirement}"))
    try:
        importlib.import_module(module)
    except Exception as exc:  # ImportError, or OSError from a wheel's native libraries
        return f"needs {requirement} ({type(exc).__name__}: {exc}); {hint}"
    return None


@dataclass
class Outcome:
    """What happened to one block: ``status`` is 'ran', 'skipped' or 'failed'; ``detail`` says why."""

    status: str
    detail: str = ""
    output: str = ""


class Notebook:
    """The blocks of one document, run lazily in order in one shared namespace."""

    def __init__(self, blocks: list[Block], workdir: Path, doc: Path) -> None:
        self.blocks = blocks
        self.workdir = Path(workdir)
        self.doc = Path(doc)
        self.namespace: dict[str, object] = {"__name__": "__tutorial__"}
        self.outcomes: dict[int, Outcome] = {}

    def run_through(self, number: int) -> Outcome:
        """Run every block up to ``number`` not yet run; return block ``number``'s outcome.

        After a failed block, the blocks that follow it are skipped, with that block named as the reason.
        """
        for block in self.blocks[:number]:
            if block.number in self.outcomes:
                continue
            failed = [n for n, o in self.outcomes.items() if o.status == "failed"]
            if failed:
                self.outcomes[block.number] = Outcome(
                    "skipped", f"not run: block {failed[0]} failed before it"
                )
            else:
                self.outcomes[block.number] = self._run(block)
        return self.outcomes[number]

    def _run(self, block: Block) -> Outcome:
        reasons = [r for r in map(missing, block.requires) if r]
        if reasons:
            return Outcome("skipped", f"block {block.number} (line {block.line}) " + "; ".join(reasons))
        # Leading newlines put the code on the document's own line numbers: tracebacks quote the doc.
        code = compile("\n" * block.line + block.source, str(self.doc), "exec")
        out = io.StringIO()
        try:
            with contextlib.chdir(self.workdir), contextlib.redirect_stdout(out):
                exec(code, self.namespace)
        except Exception:
            detail = (
                f"block {block.number} of {self.doc.name} (line {block.line}) raised:\n"
                f"{traceback.format_exc()}\n--- its output ---\n{out.getvalue()}\n--- its source ---\n"
                f"{block.listing()}"
            )
            return Outcome("failed", detail, out.getvalue())
        return Outcome("ran", output=out.getvalue())


def render(text: str, notebook: Notebook) -> str:
    """``text`` with each ```python block followed by its output (or why it did not run)."""
    outcomes = iter(notebook.outcomes[b.number] for b in notebook.blocks)

    def with_output(match: re.Match) -> str:
        if match["info"].strip().split(" ", 1)[0] != "python":
            return match[0]
        outcome = next(outcomes)
        shown = outcome.output.rstrip() if outcome.status == "ran" else f"[{outcome.status}] {outcome.detail}"
        return f"{match[0]}\n\n```text\n{shown}\n```" if shown else match[0]

    return FENCE.sub(with_output, text)


def main(argv: list[str]) -> int:
    doc = Path(argv[0] if argv else Path(__file__).parents[1] / "docs" / "tutorial.md").resolve()
    text = doc.read_text(encoding="utf-8")
    blocks = extract_blocks(text)
    notebook = Notebook(blocks, doc.parent, doc)
    notebook.run_through(len(blocks))
    target = doc.parent / "_generated" / f"{doc.stem}.executed.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(render(text, notebook), encoding="utf-8")
    for block in blocks:
        outcome = notebook.outcomes[block.number]
        if outcome.status != "ran":
            print(f"block {block.number}: {outcome.status}: {outcome.detail}", file=sys.stderr)
    print(f"wrote {target}")
    return int(any(o.status == "failed" for o in notebook.outcomes.values()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
