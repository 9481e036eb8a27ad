"""What WeasyPrint may read, and what it says: a contained URL fetcher and
its warnings collected (SPEC §8 "Offline and contained").

Rendering reads `data:` URIs and the template files only; WeasyPrint logs
resource problems instead of raising, so a build collects its warnings
(and this fetcher's refusals) and shows them to the user.
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

LOG = logging.getLogger("kamreport.pdf")
# WeasyPrint's warning when it subsets with fontTools (no HarfBuzz-Subset).
SUBSET_FALLBACK_TEXT = "Using fontTools instead of HarfBuzz-Subset"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def make_fetcher(packaged_dir: Path, templates_dir: Path | None = None):
    """A WeasyPrint URL fetcher that never touches the network or foreign files.

    Served: `data:` URIs, and `file:` URLs that resolve (symlinks followed)
    inside the packaged templates folder or the `--templates` folder. A file
    under the packaged folder is taken from the `--templates` folder when it
    has one of the same name, as templates are. Everything else — http(s),
    ftp, `file:` elsewhere, `..` escapes — is refused with a warning and
    never opened.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    packaged = packaged_dir.resolve()
    user = templates_dir.resolve() if templates_dir else None
    roots = [r for r in (user, packaged) if r is not None]

    class ContainedFetcher(URLFetcher):
        def __init__(self) -> None:
            # Only the data: handler is ever reached through the parent class.
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers=None):  # noqa: D401 - WeasyPrint API
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc not in ("", "localhost"):
                    return self._refuse(url)
                path = Path(url2pathname(unquote(parts.path))).resolve()
                if user is not None and _inside(path, packaged):
                    override = (user / path.relative_to(packaged)).resolve()
                    if _inside(override, user) and override.is_file():
                        path = override
                if any(_inside(path, r) for r in roots) and path.is_file():
                    return URLFetcherResponse(path.as_uri(), path.read_bytes())
            return self._refuse(url)

        def _refuse(self, url: str):
            LOG.warning("refused to fetch %s: rendering reads only data: URIs and template files",
                        url[:200])
            raise ValueError(f"kamreport does not fetch {url[:200]}")

    return ContainedFetcher()




@dataclass
class Captured:
    warnings: list[str] = field(default_factory=list)
    subset_fallback: bool = False


class _Collector(logging.Handler):
    def __init__(self, captured: Captured) -> None:
        super().__init__(logging.WARNING)
        self.captured = captured

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if SUBSET_FALLBACK_TEXT in msg:
            # One per font and document: the build says it once, in its own words.
            self.captured.subset_fallback = True
            return
        self.captured.warnings.append(f"{record.name}: {msg}")


@contextlib.contextmanager
def capture_warnings() -> Iterator[Captured]:
    """Collect WeasyPrint's (and our fetcher's) warnings during a render.

    WeasyPrint logs resource problems instead of raising; a build surfaces
    them to the user, and the tests fail on them.
    """
    captured = Captured()
    handler = _Collector(captured)
    loggers = [logging.getLogger("weasyprint"), LOG]
    saved = [(lg, lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        if lg.level == logging.NOTSET or lg.level > logging.WARNING:
            lg.setLevel(logging.WARNING)
    try:
        yield captured
    finally:
        for lg, propagate, level in saved:
            lg.removeHandler(handler)
            lg.propagate = propagate
            lg.setLevel(level)
