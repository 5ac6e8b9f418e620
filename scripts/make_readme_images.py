"""Make the README's pictures from the bundled data: the city map and a directory sheet.

    python scripts/make_readme_images.py

Needs what a maintainer has, not a user: Playwright (``pip install playwright``) driving
Debian's ``chromium``, LibreOffice (``soffice``) and ``pdftoppm``, and Pillow. Writes
``docs/images/map_city.png`` (a screenshot of ``map_city.html`` as a browser shows it)
and ``docs/images/directory_county.png`` (the first page of the county reach sheet of
``directory.xlsx``, as LibreOffice prints it), both palette PNGs of a few hundred kB.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import hzgeo

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def _small_png(source: Path, target: Path, width: int) -> None:
    from PIL import Image

    image = Image.open(source).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def screenshot(html: Path, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(("file:", "data:", "about:"))
                   else route.abort())
        page.goto(html.as_uri())
        page.wait_for_timeout(1500)
        page.screenshot(path=str(target))
        browser.close()


def directory_page(xlsx: Path, target: Path, work: Path) -> None:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                    str(xlsx)], check=True, capture_output=True)
    pdf = work / (xlsx.stem + ".pdf")
    # the sheets print in workbook order; the county reaches are the first reach sheet
    sheets = list(hzgeo.directory_tables(_CHIEFS))
    page = 1 + sheets.index(next(s for s in sheets if "县级" in s))
    subprocess.run(["pdftoppm", "-png", "-r", "220", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(work / "page")], check=True)
    from PIL import Image

    image = Image.open(work / "page.png")
    w, h = image.size  # the title and the first rows, readable at README width
    image.crop((int(0.02 * w), int(0.07 * h), int(0.98 * w), int(0.36 * h))).save(
        work / "crop.png")
    _small_png(work / "crop.png", target, 1400)


_CHIEFS = None


def main() -> None:
    global _CHIEFS
    IMAGES.mkdir(parents=True, exist_ok=True)
    boundaries, waters = hzgeo.datasets.guigang()
    officials = hzgeo.read_officials(hzgeo.datasets.guigang_officials())
    result = hzgeo.segment_waters(boundaries, waters)
    _CHIEFS = hzgeo.assign_chiefs(result, boundaries, waters, officials)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        html = hzgeo.write_map(result, boundaries, work / "map_city.html", chiefs=_CHIEFS)
        screenshot(html, work / "map.png")
        _small_png(work / "map.png", IMAGES / "map_city.png", 1400)
        xlsx = work / "directory.xlsx"
        hzgeo.write_directory(_CHIEFS, xlsx, boundaries=boundaries, waters=waters)
        directory_page(xlsx, IMAGES / "directory_county.png", work)
    for path in sorted(IMAGES.glob("*.png")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
