"""Size and draw time of the Guigang city HTML map, and time to render the print sheets.

    python benchmarks/maps.py [--chromium /usr/bin/chromium] [--shots DIR]

Draw time is measured in headless Chromium (every outside request blocked) from the start
of navigation to the end of the first frame after hzgeo's script has built every layer,
as the page itself reports it (performance.now()). Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import hzgeo
from hzgeo.maps import plot_sheet, write_map

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shots", type=Path, default=None,
                        help="write screenshots of the map and a county sheet here")
    args = parser.parse_args()

    boundaries, waters = hzgeo.datasets.guigang()
    result = hzgeo.segment_waters(boundaries, waters)
    chiefs = hzgeo.assign_chiefs(result, boundaries, waters,
                                 hzgeo.read_officials(hzgeo.datasets.guigang_officials()),
                                 hzgeo.read_rules())
    folder = Path(tempfile.mkdtemp())
    start = time.perf_counter()
    path = write_map(result, boundaries, folder / "city.html", chiefs=chiefs)
    print(f"city map: built and written in {time.perf_counter() - start:.2f} s, "
          f"{path.stat().st_size / 1e6:.2f} MB")
    for county in ("450802", "450881"):
        start = time.perf_counter()
        fig = plot_sheet(result, boundaries, chiefs=chiefs, county=county)
        fig.savefig(folder / f"{county}.png", dpi=200)
        fig.savefig(folder / f"{county}.pdf")
        print(f"sheet {county}: drawn and saved (PNG 200 dpi + PDF) in "
              f"{time.perf_counter() - start:.2f} s")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        for i in range(args.rounds):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            blocked: list[str] = []

            def route(r, blocked=blocked):
                if r.request.url.startswith(("file:", "data:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(path.as_uri())
            page.wait_for_function("window.hzgeo !== undefined")
            drawn = page.evaluate("() => new Promise(done => requestAnimationFrame("
                                  "() => done(performance.now())))")
            print(f"round {i + 1}: drawn {drawn / 1000:.2f} s after navigation "
                  f"(our script {page.evaluate('hzgeo.drawMs') / 1000:.2f} s), "
                  f"{len(blocked)} outside requests")
            if args.shots and i == 0:
                args.shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.shots / "city_map.png")
                code = chiefs.reaches["county"].sort_values("length_m").iloc[-1]["reach_code"]
                page.evaluate("c => { hzgeo.reaches[c].openPopup(); }", code)
                page.wait_for_timeout(600)
                page.screenshot(path=args.shots / "city_map_popup.png")
            page.close()
        browser.close()
    if args.shots:
        (args.shots / "county_sheet.png").write_bytes((folder / "450802.png").read_bytes())


if __name__ == "__main__":
    main()
