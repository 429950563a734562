"""Cost of the integrity check on open: Store(path) vs Store(path, check=False), same process.

Builds a store of about 200k result rows (~50 MB) in a temp folder and times opening it both
ways; prints the ratio. quick_check reads every page once, so the cost grows with the file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from babelscope.languages import Language
from babelscope.results import ResultRow
from babelscope.store import Store


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "results.sqlite"
        s = Store(path)
        langs = [Language.parse(t) for t in ("en", "sw", "hi", "ar", "ru", "yo", "am", "it")]
        for k in range(20):
            rid = s.start_run("run", "sig", {})
            s.add_results(rid, [ResultRow("bpb", "bpb", langs[i % 8], i / 7, variant=f"v{i}",
                                          extra={"pad": "x" * 120}) for i in range(10_000)])
            s.finish_run(rid)
        s.close()
        mb = path.stat().st_size / 1e6
        def timed(check: bool) -> float:
            best = 1e9
            for _ in range(5):
                t = time.perf_counter()
                Store(path, check=check).close()
                best = min(best, time.perf_counter() - t)
            return best
        plain, checked = timed(False), timed(True)
        print(f"store {mb:.1f} MB: open without check {plain * 1000:.1f} ms, with header+quick_check "
              f"{checked * 1000:.1f} ms (x{checked / plain:.1f}, +{(checked - plain) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
