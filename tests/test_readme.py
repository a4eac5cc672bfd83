"""The README's quick example runs as written (on a generated photo.png) and means what it says."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quick_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    monkeypatch.chdir(tmp_path)
    photo = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    cv2.imwrite("photo.png", photo)
    namespace: dict = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)  # noqa: S102 (our own README)
    np.testing.assert_array_equal(namespace["soft"], cv2.blur(photo, (9, 9)))
    np.testing.assert_array_equal(namespace["edges"], cv2.Sobel(photo, cv2.CV_16S, 1, 0, ksize=3))
    np.testing.assert_array_equal(cv2.imread("soft.png"), namespace["soft"])
