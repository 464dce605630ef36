"""Static checks of the built HTML: offline-complete, plotly.js only where a figure is, page weight."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from bookutil import OUTPUT, local_assets

pytestmark = pytest.mark.slow

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
URL_ATTRS = ("src", "href", "srcset", "data", "action", "poster", "data-jupyter-widgets-cdn")
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[^\s"'<>()]+""")
PLOTLY_SRC = "_static/vendor/plotly/plotly.min.js"


def _third_party(url: str) -> bool:
    url = url.strip()
    if not url.startswith(("http://", "https://", "//")):
        return False
    return urlsplit(url if "://" in url else "http:" + url).hostname not in LOCAL_HOSTS


def third_party_urls(html_file: Path) -> list[str]:
    """Every http(s) URL to a non-local host in a page: any URL attribute, and any URL written in an
    inline script or style."""
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    found = []
    for tag in soup.find_all(True):
        for attr in URL_ATTRS:
            value = tag.get(attr)
            if not value:
                continue
            urls = [part.split()[0] for part in value.split(",")] if attr == "srcset" else [value]
            found += [f"<{tag.name} {attr}={u}>" for u in urls if _third_party(u)]
        if tag.get("style"):
            found += [f"<{tag.name} style url {u}>" for u in ABSOLUTE_URL.findall(tag["style"]) if _third_party(u)]
    for block in soup.find_all(["script", "style"]):
        if block.string and not block.get("src"):
            if block.get("type") == "application/vnd.jupyter.widget-state+json":
                continue  # model state: text values, not loaded resources (checked in the browser)
            found += [f"<{block.name}> text {u}" for u in ABSOLUTE_URL.findall(block.string) if _third_party(u)]
    return found


def html_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.parts)


def script_srcs(html_file: Path) -> list[str]:
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    return [s["src"].split("?")[0] for s in soup.find_all("script", src=True)]


def lazy_plotly_srcs(html_file: Path) -> list[str]:
    """What the page's cmv-plotly.js (deferred) fetches when a chart needs it: its ``data-plotly``, resolved."""
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    return [urljoin(s["src"], s["data-plotly"]).split("?")[0] for s in soup.find_all("script", src=True)
            if s["src"].split("?")[0].endswith("_static/cmv-plotly.js") and s.get("defer") is not None and s.get("data-plotly")]


def has_figure(html_file: Path) -> bool:
    return 'class="plotly-graph-div' in html_file.read_text(encoding="utf-8")


def test_no_third_party_url_in_any_page(book_html: Path):
    """The book's pages name no third-party URL at all, in attributes or inline scripts and styles."""
    offenders = {str(p.relative_to(book_html)): urls for p in html_files(book_html) if (urls := third_party_urls(p))}
    assert not offenders, f"pages pointing at third-party hosts: {offenders}"


def test_no_third_party_url_in_demo_pages(demo_html: Path):
    offenders = {str(p.relative_to(demo_html)): urls for p in html_files(demo_html) if (urls := third_party_urls(p))}
    assert not offenders, offenders


def test_stylesheets_import_nothing_from_third_parties(book_html: Path):
    offenders = {}
    for css in (book_html / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments are not requests
        urls = [u for u in re.findall(r"""(?:@import|url\()\s*['"]?([^'")\s]+)""", text) if _third_party(u)]
        if urls:
            offenders[str(css.relative_to(book_html))] = urls
    assert not offenders, offenders


@pytest.mark.parametrize("site", ["book_html", "demo_html"])
def test_plotly_js_only_on_pages_with_a_figure(site: str, request):
    root = request.getfixturevalue(site)
    wrong = []
    for page in html_files(root):
        assert not any(src.endswith(PLOTLY_SRC) for src in script_srcs(page)), f"{page}: plotly.js blocks the page"
        loads = any(src.endswith(PLOTLY_SRC) for src in lazy_plotly_srcs(page))
        if loads != has_figure(page):
            wrong.append(f"{page.relative_to(root)}: figure={has_figure(page)} loads plotly.js={loads}")
    assert not wrong, wrong
    assert (root / PLOTLY_SRC).is_file()


def test_demo_has_a_figure_and_the_plain_page_has_none(demo_html: Path):
    assert has_figure(demo_html / "book" / "demo.html")
    assert not has_figure(demo_html / "book" / "plain.html")
    assert not any("plotly" in s for s in script_srcs(demo_html / "book" / "plain.html"))


def test_widget_pages_load_the_self_hosted_embedder(demo_html: Path, book_html: Path):
    for root in (demo_html, book_html):
        for page in html_files(root):
            text = page.read_text(encoding="utf-8")
            if "application/vnd.jupyter.widget-state+json" in text:
                srcs = script_srcs(page)
                # the html-manager's embed.js, or on pages with a live calculator the live embedder that
                # bundles the same manager (book/_ext/live_calculators.py); exactly one of them
                embedders = [s for s in srcs if s.endswith(("_static/vendor/html-manager/embed.js",
                                                            "_static/cmv-live/embed-live.js"))]
                assert len(embedders) == 1, (page, embedders)
                assert not any("require" in s for s in srcs), page
    assert "application/vnd.jupyter.widget-state+json" in (demo_html / "book" / "demo.html").read_text(encoding="utf-8")


def test_maths_uses_the_self_hosted_mathjax(demo_html: Path):
    srcs = script_srcs(demo_html / "book" / "demo.html")
    assert any(s.endswith("_static/vendor/mathjax/tex-chtml.js") for s in srcs), srcs
    assert (demo_html / "_static" / "vendor" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_no_large_file_is_loaded_on_every_page(book_html: Path):
    """Assets loaded globally stay small; big ones live in _static/vendor and load per page."""
    pages = html_files(book_html)
    common = set(script_srcs(pages[0])).intersection(*(set(script_srcs(p)) for p in pages[1:]))
    sizes = {}
    for src in common:
        path = (pages[0].parent / src).resolve()
        if path.is_file():
            sizes[src] = path.stat().st_size
    assert all(size < 1_000_000 for size in sizes.values()), sizes


def test_page_weight(book_html: Path, demo_html: Path):
    """Record the weight of each page (HTML + the scripts, stylesheets and images it loads)."""
    lines = []
    for root in (book_html, demo_html):
        for page in html_files(root):
            assets = local_assets(page, root)
            weight = page.stat().st_size + sum(a.stat().st_size for a in assets)
            lines.append((weight, page.stat().st_size, f"{root.parent.parent.name}/{page.relative_to(root)}"))
    lines.sort(reverse=True)
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "page-weight.txt").write_text(
        "total_bytes html_bytes page (HTML + scripts/stylesheets/images it loads, before compression;\n"
        "on-demand MathJax components and fonts not counted)\n"
        + "\n".join(f"{w:>11} {h:>10} {name}" for w, h, name in lines) + "\n",
        encoding="utf-8",
    )
    heaviest = lines[0][0]
    assert heaviest < 20_000_000, lines[:3]
