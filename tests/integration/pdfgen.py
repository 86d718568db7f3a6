"""Small PDFs made from known text, for the tests, the sample corpus and
nothing else: python3-cairo (Debian's package) with a CJK font
(fonts-wqy-microhei; any font fontconfig finds for "WenQuanYi Micro Hei",
else "Noto Sans CJK SC", renders).

    page = Page()
    page.para("第一段……", size=11)      # wrapped to the text width
    page.text("页眉", x, y, size=8)      # one line at a place
    make_pdf(path, [page, ...], title=…, author=…, date="2021-05-01T00:00:00")
"""

import os

import json
import subprocess
import sys

try:
    import cairo
except ImportError:
    cairo = None
# Debian's python3-cairo is for Debian's python3: a python3 of another
# installation (pyenv) hands the drawing to /usr/bin/python3.
SYSTEM_PYTHON = "/usr/bin/python3"


def _system_has_cairo():
    if not os.path.exists(SYSTEM_PYTHON) or os.path.realpath(SYSTEM_PYTHON) == os.path.realpath(sys.executable):
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import cairo"], capture_output=True).returncode == 0


HAVE_CAIRO = cairo is not None or _system_has_cairo()

FONT = os.environ.get("WENSOU_TEST_CJK_FONT", "WenQuanYi Micro Hei")
W, H = 595, 842            # A4 in points
LEFT, RIGHT, TOP = 72, 72, 90
CAIRO_MSG = "python3-cairo is not installed (scripts/install-deps): PDF fixture tests skipped"


def have_cjk_font():
    """Whether fontconfig knows the CJK font (fc-match names it)."""
    import subprocess
    try:
        out = subprocess.run(["fc-match", FONT], capture_output=True, text=True, timeout=20).stdout
    except OSError:
        return False
    return any(w in out for w in ("WenQuanYi", "wqy", "Noto Sans CJK", "Droid Sans Fallback"))


def _is_wide(ch):
    return ord(ch) >= 0x2E80


class Page:
    def __init__(self, width=W, height=H):
        self.width, self.height = width, height
        self.items = []        # (text, x, y, size)
        self.y = TOP
        self.image = None

    def text(self, s, x, y, size=11):
        self.items.append((s, x, y, size))

    def para(self, s, size=11, x=LEFT, width=None, gap=0.6, leading=1.35):
        """Lay s out in lines of at most width points from x at the
        current height; returns the lines."""
        width = width or (self.width - x - RIGHT)
        lines = wrap(s, size, width)
        for line in lines:
            self.y += size * leading
            self.items.append((line, x, self.y, size))
        self.y += size * gap
        return lines

    def paint_image(self):
        """Fill most of the page with an image (a scan, for poppler)."""
        self.image = True


def _advance(ch, size):
    return size if _is_wide(ch) else size * 0.55


def wrap(s, size, width):
    """Greedy wrap: CJK anywhere, Latin at spaces (an estimate of widths
    that errs towards short lines)."""
    lines, cur, w = [], "", 0.0
    tokens = []
    word = ""
    for ch in s:
        if _is_wide(ch) or ch == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    for tok in tokens:
        tw = sum(_advance(c, size) for c in tok)
        if w + tw > width and cur.strip():
            lines.append(cur.rstrip())
            cur, w = ("", 0.0) if tok == " " else (tok, tw)
            continue
        cur += tok
        w += tw
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def make_pdf(path, pages, title=None, author=None, date=None, labels=None):
    """Write pages to path.  labels: printed page labels, one per page
    (None for none)."""
    if cairo is None:
        spec = {"path": path, "title": title, "author": author, "date": date, "labels": labels,
                "pages": [{"w": p.width, "h": p.height, "items": p.items, "image": p.image} for p in pages]}
        subprocess.run([SYSTEM_PYTHON, os.path.abspath(__file__)], input=json.dumps(spec), text=True,
                       check=True, timeout=120)
        return
    surface = cairo.PDFSurface(path, W, H)
    if title:
        surface.set_metadata(cairo.PDFMetadata.TITLE, title)
    if author:
        surface.set_metadata(cairo.PDFMetadata.AUTHOR, author)
    if date:
        surface.set_metadata(cairo.PDFMetadata.CREATE_DATE, date)
    ctx = cairo.Context(surface)
    for i, page in enumerate(pages):
        if labels and labels[i]:
            surface.set_page_label(labels[i])
        if page.image:
            img = cairo.ImageSurface(cairo.FORMAT_RGB24, 200, 280)
            ic = cairo.Context(img)
            ic.set_source_rgb(0.9, 0.9, 0.85)
            ic.paint()
            ic.set_source_rgb(0.1, 0.1, 0.1)
            for k in range(0, 280, 9):      # lines of "print"
                ic.rectangle(20, k + 10, 160 - (k * 7) % 50, 4)
            ic.fill()
            ctx.save()
            ctx.translate(60, 60)
            ctx.scale(2.4, 2.4)
            ctx.set_source_surface(img, 0, 0)
            ctx.paint()
            ctx.restore()
        ctx.set_source_rgb(0, 0, 0)
        ctx.select_font_face(FONT, cairo.FONT_SLANT_NORMAL, cairo.FONT_WEIGHT_NORMAL)
        for s, x, y, size in page.items:
            ctx.set_font_size(size)
            ctx.move_to(x, y)
            ctx.show_text(s)
        ctx.show_page()
    surface.finish()


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    pages = []
    for d in spec["pages"]:
        pg = Page(d["w"], d["h"])
        pg.items = [tuple(i) for i in d["items"]]
        pg.image = d["image"]
        pages.append(pg)
    make_pdf(spec["path"], pages, spec["title"], spec["author"], spec["date"], spec["labels"])
