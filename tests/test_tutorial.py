"""docs/tutorial.md, executed: every ```python block runs in order in one namespace, as a notebook.

One test per block (``test_block[block07]``), so a failure names its block and a skipped optional block
(``# requires: cv2`` / ``mojo`` / ``matplotlib``) shows its reason under ``-ra``. The blocks run in a
temporary directory; running one block alone (``-k block07``) first runs the blocks before it.
"""

import re
import textwrap
from pathlib import Path

import pytest

from tutorial_runner import Notebook, extract_blocks, prose, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = extract_blocks(TEXT)

SECTIONS = [
    ("1", "load"),
    ("2", "blue"),
    ("3", "naive"),
    ("4", "opencv"),
    ("5", "kernel"),
    ("6", "in place"),
    ("7", "benchmark"),
    ("8", "wrong"),
]

# A figure a timing cell would compute: "0.42 s", "96 ms", "72 µs", "3.15x faster", "663x", "2 times faster".
TIME_FIGURE = re.compile(
    r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:s|sec|secs|seconds?|ms|milliseconds?|µs|us|microseconds?|ns)\b",
    re.IGNORECASE,
)
SPEEDUP_FIGURE = re.compile(
    r"\d(?:\.\d+)?\s*(?:x|×)(?![\d(])|\d(?:\.\d+)?\s*times\s+(?:faster|slower|quicker)", re.IGNORECASE
)
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\((?P<path>[^)\s]+)\)")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    return Notebook(BLOCKS, tmp_path_factory.mktemp("tutorial"), DOC)


@pytest.mark.parametrize("number", [b.number for b in BLOCKS], ids=[f"block{b.number:02d}" for b in BLOCKS])
def test_block(notebook, number):
    outcome = notebook.run_through(number)
    if outcome.status == "skipped":
        pytest.skip(outcome.detail)
    if outcome.status == "failed":
        pytest.fail(outcome.detail, pytrace=False)
    assert outcome.status == "ran"


def test_images_shown_are_made_by_the_document(notebook):
    notebook.run_through(len(BLOCKS))
    if any(o.status == "failed" for o in notebook.outcomes.values()):
        pytest.skip("a block failed (see its own test)")
    skipped = [b.source for b in BLOCKS if notebook.outcomes[b.number].status == "skipped"]
    shown = [m["path"] for m in IMAGE_LINK.finditer(prose(TEXT))]
    assert shown, "the tutorial shows no image"
    for path in shown:
        assert path.startswith("_generated/"), f"{path}: the images shown are generated, into _generated/"
        made = (notebook.workdir / path).is_file()
        # An image may be missing only when the block that writes it was skipped (its dependency is absent).
        assert made or any(Path(path).name in source for source in skipped), f"no block wrote {path}"


def test_eight_sections_in_the_articles_order():
    headings = re.findall(r"^## (\d+)\. (.+)$", TEXT, re.MULTILINE)
    assert [n for n, _ in headings] == [n for n, _ in SECTIONS]
    for (_, title), (_, word) in zip(headings, SECTIONS, strict=True):
        assert word in title.lower(), f"section {title!r} should be about {word!r}"
    assert all(
        len(extract_blocks(part)) > 0 for part in re.split(r"^## \d+\. ", TEXT, flags=re.MULTILINE)[1:]
    )


def test_prose_has_no_hard_coded_timings():
    text = prose(TEXT)
    assert "## 7." in text  # the prose is really there, the code blocks are not
    found = TIME_FIGURE.findall(text) + SPEEDUP_FIGURE.findall(text)
    assert found == [], f"timings belong in the cells that measure them, not in the prose: {found}"


def test_figure_patterns_catch_timings_and_spare_sizes():
    caught = "naive 0.42 s, filter2D 964 µs or 0.96 ms, blur 72 us; 3.15x faster, 663x, 2 times faster"
    spared = "an 8x8 box on a 256x256 image, (2r+1)x(2r+1) windows, 5 runs, 16 samples, 4 channels"
    assert len(TIME_FIGURE.findall(caught)) == 4
    assert len(SPEEDUP_FIGURE.findall(caught)) == 3
    assert TIME_FIGURE.findall(spared) == SPEEDUP_FIGURE.findall(spared) == []


FAKE_DOC = textwrap.dedent(
    """\
    # A fake tutorial

    ```python
    x = 40
    print("x is", x)
    ```

    ```text
    not code
    ```

    ```python requires=no_such_module_for_purecv
    import no_such_module_for_purecv
    ```

    ```python
    # requires: no_such_module_for_purecv, cv2
    raise AssertionError("must not run")
    ```

    ```python
    y = x + 2
    assert y == 43, "off by one"
    ```

    ```python
    print("never reached")
    ```
    """
)


def test_runner_shares_a_namespace_skips_and_names_the_failing_block(tmp_path):
    blocks = extract_blocks(FAKE_DOC)
    assert [b.requires for b in blocks] == [
        (),
        ("no_such_module_for_purecv",),
        ("no_such_module_for_purecv", "cv2"),
        (),
        (),
    ]
    book = Notebook(blocks, tmp_path, tmp_path / "fake.md")
    assert book.run_through(1).output == "x is 40\n"
    assert book.run_through(2).status == "skipped"
    assert "needs no_such_module_for_purecv (ModuleNotFoundError" in book.outcomes[2].detail
    assert book.run_through(3).status == "skipped"
    failed = book.run_through(4)
    assert failed.status == "failed"
    assert "block 4 of fake.md (line 21) raised" in failed.detail
    assert "AssertionError: off by one" in failed.detail
    assert '   23 | assert y == 43, "off by one"' in failed.detail  # the source, on the document's lines
    assert book.run_through(5).detail == "not run: block 4 failed before it"
    rendered = render(FAKE_DOC, book)
    assert "```text\nx is 40\n```" in rendered
    assert "[skipped] block 2 (line 12) needs no_such_module_for_purecv" in rendered
