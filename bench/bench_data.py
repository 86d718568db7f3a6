#!/usr/bin/python3
"""The benchmarks' data set: an archive of --mb of text in --files files,
made from the real reports of ../shared/corpus and the Chinese Debian
manuals that scripts/install-deps installs, shuffled so that no two files
are equal.

Every document is cut into passages: blocks between blank lines (a block
over 1,500 characters, such as a report with one paragraph per line, at
its lines that end a sentence), a block that does not end a sentence (a
heading, a line of a hard-wrapped paragraph, a caption, a command) joined
to the blocks after it, so that a heading stays with the text it heads; a
passage is at most about 3,000 characters.  Passages are kept byte for
byte as in their document.

Each output file has a primary document (a report for four files in five,
a Debian manual for the fifth), which gives it its source, title and a
year (the document's year or up to four years before it), and is a
sequence of runs of consecutive passages (1 to 8 of a report's, 3 to 24
of a manual's, whose passages are shorter): six runs in ten from the
primary document, the others from any report (three in four) or manual.
About a fifth of the text comes from the manuals.
File sizes are spread (log-normal) around --mb / --files and add up to
--mb.  A file whose primary is the Markdown report is Markdown with front
matter (title, source, date); the others are text files named
SLUG-YEAR-NNNN.txt, their title and source in one wensou-meta.json
sidecar beside them.

The same arguments (and the same installed manuals) give the same bytes.

Usage: bench/bench_data.py [--corpus DIR] [--mb 100] [--files 300] [--seed 16] OUT
"""

import argparse
import gzip
import hashlib
import html.parser
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "corpus")

# The Chinese Debian manuals of scripts/install-deps (--bench adds the Edu one).
MANUAL_PACKAGES = ("debian-reference-zh-cn", "debian-reference-zh-tw", "maint-guide-zh-cn", "debian-edu-doc-zh-cn")
MANUAL_SOURCE = "Debian"
MANUAL_YEAR = 2023

BIG_BLOCK = 1500  # a block longer than this is cut at its lines that end a sentence
MAX_PASSAGE = 3000  # a passage grows to about this many characters at most
CLOSERS = "”’」』）)》】]*> \t\u3000"
ENDS = "。！？!?；;：:.…"


def ends_sentence(s):
    s = s.rstrip(CLOSERS)
    return bool(s) and s[-1] in ENDS


def split_passages(text):
    """The passages of a document's text, as str slices of it."""
    pieces = []  # (start, end) of blocks, or of a big block's lines
    pos = 0
    for m in list(re.finditer(r"\n(?:[ \t\u3000\r]*\n)+", text)) + [None]:
        s, e = pos, (m.start() if m else len(text))
        pos = m.end() if m else len(text)
        if not text[s:e].strip():
            continue
        if e - s <= BIG_BLOCK or "\n" not in text[s:e]:
            pieces.append((s, e))
            continue
        # a big block: end a piece at each line that ends a sentence
        ps = s
        for lm in re.finditer(r"\n", text[s:e]):
            le = s + lm.start()
            if ends_sentence(text[ps:le]):
                pieces.append((ps, le))
                ps = le + 1
        if text[ps:e].strip():
            pieces.append((ps, e))
    out = []
    start = None
    for s, e in pieces:
        if start is None:
            start = s
        if ends_sentence(text[s:e]) or e - start >= MAX_PASSAGE:
            out.append(text[start:e])
            start = None
    if start is not None:
        out.append(text[start:pieces[-1][1]])
    # a passage much longer than the limit (a table of contents, a long
    # listing) is cut at lines
    res = []
    for p in out:
        while len(p) > 2 * MAX_PASSAGE and "\n" in p[MAX_PASSAGE:]:
            cut = p.index("\n", MAX_PASSAGE)
            res.append(p[:cut])
            p = p[cut + 1:]
        res.append(p)
    return [p.strip("\n") for p in res if p.strip()]


def front_matter(text):
    """(fields, body) of a Markdown text with front matter."""
    m = re.match(r"---\n(.*?)\n(?:---|\.\.\.)\n", text, re.S)
    if not m:
        return {}, text
    fields = {}
    for line in m.group(1).split("\n"):
        k, sep, v = line.partition(":")
        if sep and not line.startswith((" ", "#")):
            fields[k.strip().lower()] = v.strip()
    return fields, text[m.end():]


def year_in(s):
    m = re.search(r"(?<!\d)(19|20)\d\d(?!\d)", s)
    return int(m.group(0)) if m else None


def read_reports(corpus):
    """The reports of corpus: dicts of name, slug, title, source, year,
    markdown, passages (bytes)."""
    meta = {}
    sidecar = os.path.join(corpus, "wensou-meta.json")
    if os.path.exists(sidecar):
        with open(sidecar, encoding="utf-8") as f:
            meta = json.load(f).get("files", {})
    docs = []
    for name in sorted(os.listdir(corpus)):
        if not name.endswith((".txt", ".md")):
            continue
        with open(os.path.join(corpus, name), encoding="utf-8", errors="replace") as f:
            text = f.read().replace("\r\n", "\n").lstrip("\ufeff")
        fm, body = front_matter(text) if name.endswith(".md") else ({}, text)
        entry = meta.get(name, {})
        stem = os.path.splitext(name)[0]
        passages = [p.encode() for p in split_passages(body)]
        if not passages:
            continue
        title = entry.get("title") or fm.get("title") or passages[0].decode().strip().split("\n")[0]
        docs.append(dict(name=name, slug=re.sub(r"-?(19|20)\d\d$", "", stem), title=title,
                         source=entry.get("source") or fm.get("source") or "",
                         year=entry.get("year") or year_in(fm.get("date", "")) or year_in(name) or 2023,
                         markdown=name.endswith(".md"), manual=False, passages=passages))
    return docs


class HTMLText(html.parser.HTMLParser):
    """The text of a DocBook HTML page: one block per paragraph, heading,
    list item, table cell or <pre>; navigation, tables of contents,
    scripts and styles left out."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "td", "th", "div", "tr",
              "blockquote", "table", "ul", "ol", "dl", "br", "hr"}
    SKIP_TAGS = {"script", "style", "head", "title"}
    SKIP_CLASSES = {"navheader", "navfooter", "toc", "list-of-tables", "list-of-figures", "list-of-examples"}
    VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, skipping)
        self.blocks = []
        self.buf = []
        self.pre = 0
        self.title = None
        self.in_title = False

    def skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def flush(self):
        t = "".join(self.buf)
        self.buf = []
        t = t.strip("\n") if self.pre else re.sub(r"\s+", " ", t).strip()
        if t.strip():
            self.blocks.append(t)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in self.BLOCKS:
            self.flush()
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = self.skipping() or tag in self.SKIP_TAGS or bool(classes & self.SKIP_CLASSES)
        self.stack.append((tag, skip))
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in self.VOID:
            return
        if tag in self.BLOCKS:
            self.flush()
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                for t, _ in self.stack[k:]:
                    if t == "pre":
                        self.pre -= 1
                del self.stack[k:]
                break

    def handle_data(self, data):
        if self.in_title and self.title is None:
            self.title = data.strip()
        if not self.skipping():
            self.buf.append(data)


def html_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        p = HTMLText()
        p.feed(f.read())
        p.close()
    p.flush()
    return p.title, "\n\n".join(p.blocks)


def package_files(pkg):
    """The files package pkg installed, or None when it is not installed."""
    try:
        r = subprocess.run(["dpkg-query", "-L", pkg], capture_output=True, text=True)
    except FileNotFoundError:
        return None
    if r.returncode != 0:
        return None
    return sorted(p for p in r.stdout.split("\n") if p and os.path.isfile(p))


def read_manuals(log):
    """The Chinese Debian manuals installed: each package's plain text
    (NAME.txt.gz) where it ships one, else its HTML pages, one document
    per manual.  Packages not installed are skipped with a message."""
    docs, missing = [], []
    for pkg in MANUAL_PACKAGES:
        files = package_files(pkg)
        if files is None:
            missing.append(pkg)
            continue
        files = [f for f in files if not re.search(r"/(changelog|copyright|README)[^/]*$", f)]
        texts = [f for f in files if f.endswith((".txt", ".txt.gz"))]
        if texts:
            for f in texts:
                opener = gzip.open if f.endswith(".gz") else open
                with opener(f, "rt", encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                title = next((line.strip() for line in text.split("\n") if line.strip()), pkg)
                docs.append((pkg, os.path.basename(f), title, text))
            continue
        pages = [f for f in files if f.endswith((".html", ".htm"))]
        # one document per manual: the pages of a folder in order, or each
        # single-page manual
        groups = {}
        for f in pages:
            key = os.path.dirname(f) if len([g for g in pages if os.path.dirname(g) == os.path.dirname(f)]) > 3 else f
            groups.setdefault(key, []).append(f)
        for key, group in groups.items():
            title, parts = None, []
            for f in group:
                t, text = html_text(f)
                title = title or t
                parts.append(text)
            docs.append((pkg, os.path.basename(key), title or pkg, "\n\n".join(parts)))
        if not texts and not pages:
            missing.append(pkg)
    if missing:
        log(f"bench_data: no Debian manual from {', '.join(missing)} (not installed: scripts/install-deps --bench); "
            "going on without")
    out = []
    for pkg, base, title, text in docs:
        passages = [p.encode() for p in split_passages(text.replace("\r\n", "\n"))]
        if not passages:
            continue
        slug = re.sub(r"(\.zh-(cn|tw))?(\.txt)?(\.gz)?(\.html?)?$", "", base)
        slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")
        suffix = re.search(r"zh-(cn|tw)", pkg)
        if suffix and suffix.group(0) not in slug:
            slug += "-" + suffix.group(0)
        out.append(dict(name=f"{pkg}:{base}", slug=slug, title=title, source=MANUAL_SOURCE, year=MANUAL_YEAR,
                        markdown=False, manual=True, passages=passages))
    return out


def make_data(corpus, out, target_mb, nfiles, seed=16, log=print):
    """Write the data set into the new folder out; returns the bytes of
    text written (front matter included, the sidecar not)."""
    if os.path.exists(out):
        sys.exit(f"bench_data: {out} exists; give a new folder")
    reports = read_reports(corpus)
    if not reports:
        sys.exit(f"no documents in {corpus}")
    manuals = read_manuals(log)
    def mb(docs):
        return sum(len(p) for d in docs for p in d["passages"]) / 1e6
    log(f"passages: {sum(len(d['passages']) for d in reports)} of {len(reports)} reports ({mb(reports):.2f} MB), "
        f"{sum(len(d['passages']) for d in manuals)} of {len(manuals)} Debian manuals ({mb(manuals):.2f} MB)")
    rng = random.Random(f"wensou-bench-data {seed}")
    total_target = int(target_mb * 1e6)
    weights = [rng.lognormvariate(0, 0.8) for _ in range(nfiles)]
    scale = total_target / sum(weights)
    sizes = [max(2000, int(w * scale)) for w in weights]

    def pick_any():
        if manuals and rng.random() < 0.25:
            return rng.choice(manuals)
        return rng.choice(reports)

    os.makedirs(out)
    sidecar = {}
    seen = set()
    total = 0
    manual_bytes = 0
    carry = 0
    width = max(4, len(str(nfiles - 1)))
    for i in range(nfiles):
        primary = rng.choice(manuals) if manuals and rng.random() < 0.2 else rng.choice(reports)
        year = primary["year"] - rng.randint(0, 4)
        title = re.sub(r"(?<!\d)(19|20)\d\d(?!\d)", str(year), primary["title"], count=1)
        parts = []
        if primary["markdown"]:
            head = (f"---\ntitle: {title}\nsource: {primary['source']}\n"
                    f"date: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n---\n\n").encode()
            parts.append(head)
        written = sum(len(p) for p in parts)
        sep = False  # a passage before: the next one goes after a blank line
        target = sizes[i] + carry
        digest = hashlib.sha1()
        for p in parts:
            digest.update(p)
        while True:
            while written < target:
                doc = primary if rng.random() < 0.6 else pick_any()
                ps = doc["passages"]
                start = rng.randrange(len(ps))
                run = rng.randint(1, 8) * (3 if doc["manual"] else 1)  # a manual's passages are shorter
                for p in ps[start:start + run]:
                    if written >= target:
                        break
                    if sep:
                        parts.append(b"\n\n")
                        digest.update(b"\n\n")
                        written += 2
                    sep = True
                    parts.append(p)
                    if doc["manual"]:
                        manual_bytes += len(p)
                    digest.update(p)
                    written += len(p)
            if digest.digest() not in seen:
                break
            target = written + 1  # the same as another file: one passage more
        seen.add(digest.digest())
        parts.append(b"\n")
        written += 1
        carry = target - written if i + 1 < nfiles else 0
        ext = "md" if primary["markdown"] else "txt"
        name = f"{primary['slug']}-{year}-{i:0{width}d}.{ext}"
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(parts))
        total += written
        if not primary["markdown"]:
            sidecar[name] = {"title": title, "source": primary["source"]}
    with open(os.path.join(out, "wensou-meta.json"), "w", encoding="utf-8") as f:
        json.dump({"files": sidecar}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    if total and manuals:
        log(f"data: {manual_bytes / total:.0%} of the text from the Debian manuals")
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("out", help="the folder to make (must not exist)")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        sys.exit(f"bench_data: {a.corpus} is absent")
    total = make_data(a.corpus, a.out, a.mb, a.files, a.seed)
    print(f"data: {a.files} files, {total / 1e6:.1f} MB of text in {a.out}")


if __name__ == "__main__":
    main()
