#!/usr/bin/env python3
"""Relevance of wensou-search on ../shared/corpus.

Each query of queries.json lists the passages a user would accept, as a
file name and a span of text the passage must contain (compared with all
white space removed, so that words broken across lines in PDF-extracted
text still count).  A span may also be a list of spans, anchors in one
judged paragraph that is longer than a passage: a hit matches the entry if
it contains any of them.  An entry has a grade: 3 the passage answers the
query or is centrally about it, 2 substantially about it, 1 a passing
mention a user would accept; entries without one count as 2.

The runner indexes the corpus (or uses --db), runs every query with
--json -n 10 and reports, per kind and overall:

  success@10  share of queries with a hit of grade >= 1 in the first ten
  MRR         mean reciprocal rank of the first such hit
  P@5         share of the first five hits (of five places) with grade >= 1
  nDCG@10     DCG with gain 2^grade - 1 and a log2(rank + 1) discount, over
              the ideal DCG of the judged grades sorted best first (at most
              ten); a hit's grade is the best of the entries it contains
              that no higher-ranked hit contained already, so a passage
              repeated, or a second passage of the same paragraph, gains
              nothing

and the noise share: the share of all top-10 hits that are no body text
but a bare heading, a table of contents, footnotes or URLs, a source line
or a figure or table caption, judged from the passage's own lines, not the
engine's labels.

It fails if a metric is below its floor in floor.json, which may only ever
be raised.  "other" there is every query whose kind is not topic, question,
section or crosslang (the original word/phrase/filter... set).  Crosslang
queries (an English query answered by Chinese text, a Chinese one by an
English name or abbreviation, a short Chinese form by the long one: the
glossary's query expansion, issue #17) form a group of their own that is
kept out of "other", "all" and the noise share, so that those numbers stay
what they were before the group came in; the group has its own floors and
its own noise line.

Exit status: 0 pass, 1 below a floor or broken data, 77 skipped (no
corpus; meson's skip code).
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
NEW_KINDS = ("topic", "question", "section")
SEPARATE_KINDS = ("crosslang",)   # own group, outside "other", "all" and the noise share
GRADED_KINDS = NEW_KINDS + SEPARATE_KINDS
METRICS = ("success@10", "MRR", "P@5", "nDCG@10")


def squash(s):
    return re.sub(r"\s+", "", s)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--search", default=os.environ.get("WENSOU_SEARCH", ""), help="wensou-search binary")
    ap.add_argument("--index", default=os.environ.get("WENSOU_INDEX", ""), help="wensou-index binary")
    ap.add_argument("--corpus", default=os.environ.get("WENSOU_SHARED_CORPUS", ""), help="../shared/corpus")
    ap.add_argument("--db", help="use this index instead of building one")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.json"))
    ap.add_argument("--floor", default=os.path.join(HERE, "floor.json"))
    ap.add_argument("-k", type=int, default=10, help="cut-off (default 10)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every query, not only misses")
    ap.add_argument("--worst", type=int, default=0, metavar="N",
                    help="list the N topic/question/section/crosslang queries with the lowest nDCG@10, with their hits")
    ap.add_argument("--check", action="store_true", help="only check the data (spans, grades, topic sizes)")
    return ap.parse_args()


# --- the corpus as paragraphs (for the topic-size check) -------------------

SENT_END = "。！？；：!?;:…"
CLOSE = "”’」』\"')）》*"
SUP = "¹²³⁴⁵⁶⁷⁸⁹⁰"
HAN = re.compile(r"[\u4e00-\u9fff]")


def ends_sentence(s):
    s = s.rstrip()
    while s and s[-1] in CLOSE:
        s = s[:-1]
    return bool(s) and s[-1] in SENT_END


def is_furniture(line):
    """A line that is no body text: page numbers, chart residue, URLs,
    images, footnotes (superscript-numbered, or a PDF's "12 见…" notes)."""
    t = line.strip()
    if not t or t == "---" or t.startswith("!["):
        return True
    if re.fullmatch(r"[\d\s.,%\-—–]+", t) or t[0] in SUP:
        return True
    if re.match(r"\d{1,2}(\s*[^\d\s年月日%.,，、：:）)个项家倍亿万/\-—]|\s+\d{4}\s*年)", t):
        return True
    if re.fullmatch(r"(<?https?://\S+>?\s*)+", t):
        return True
    if len(HAN.findall(t)) < 3 and re.search(r"[A-Za-z]{3}", t) and not t.isupper():
        return True   # an English bibliography line in a Chinese document
    return False


def paragraphs(path):
    """The file's paragraphs as (first_line, last_line, text): hard-wrapped
    lines joined, and paragraphs broken by page furniture or footnotes
    joined again.  Three shapes: one paragraph a line (long lines), a blank
    line after every line (paragraphs end at a line with trailing space, as
    PDF extraction leaves them), or paragraphs between blank lines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    n, start = len(lines), 0
    if lines and lines[0].strip() == "---":          # YAML front matter
        for i in range(1, n):
            if lines[i].strip() == "---":
                start = i + 1
                break
    text_idx = [i for i in range(start, n) if lines[i].strip()]
    if not text_idx:
        return []
    blank_after = sum(1 for i in text_idx if i + 1 < n and not lines[i + 1].strip())
    double_spaced = blank_after > 0.8 * len(text_idx)
    long_lines = sum(len(lines[i].strip()) for i in text_idx) / len(text_idx) >= 60
    out, cur = [], []

    def close():
        if cur:
            out.append((cur[0][0], cur[-1][0], "".join(t for _, t in cur)))
            cur.clear()

    for i in range(start, n):
        raw = lines[i]
        s = raw.strip()
        if s == "尾注":                                 # endnotes: no body text follows
            break
        if not s:
            if not double_spaced and not long_lines and cur and ends_sentence(cur[-1][1]):
                close()
            continue
        if is_furniture(s):
            continue
        if s[0] in "•»" or re.match(r"[A-H]\. ", s):
            close()
        cur.append((i + 1, s))
        joined = sum(len(t) for _, t in cur)
        if long_lines:
            if ends_sentence(s) or len(s) < 40:
                close()
        elif double_spaced:
            if raw != raw.rstrip() and (ends_sentence(s) or joined < 40):
                close()
        elif len(s) < 40 and joined == len(s) and (i + 1 >= n or not lines[i + 1].strip()):
            close()                                     # a short line alone: a heading
    close()
    return out


def is_body(text):
    """A paragraph of body text: not a heading, table-of-contents line,
    source line or caption."""
    s = squash(text)
    if "....." in s or (s.startswith(("来源：", "图", "表")) and len(s) < 60):
        return False
    return len(s) >= 40 or ends_sentence(s) or s[0] in "•»"


# --- noise: passages that are no body text ---------------------------------

HEADING_NUM = re.compile(r"^(#{1,6}\s|\*\*.*\*\*$|[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[)）]|"
                         r"\d{1,2}(\.\d{1,2})*[.、．\s]|[A-H][.．]\s?|第[一二三四五六七八九十百\d]+[章节篇部]|附件|附录)")
FOOTNOTE = re.compile(r"^(\[\d+\]|[①-⑳]|\^\d+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|<?https?://)")
CAPTION = re.compile(r"^(图|表)\s*([0-9]+|[一二三四五六七八九十]+)")
TOC_LINE = re.compile(r"(\.{3,}|…{2,}|·{3,})\s*\d*\s*$|\s\d{1,3}$")


def noise_kind(lines):
    """What a passage's lines are if they are no body text: "heading",
    "contents", "footnote" (notes, URLs), "residue" (a chart's numbers),
    "source", "caption"; None for body text."""
    ls = [l.strip() for l in lines if l.strip()]
    if not ls:
        return "heading"
    whole = squash("".join(ls))
    if all(l.startswith(("来源：", "来源:", "资料来源")) for l in ls):
        return "source"
    if all(CAPTION.match(l) or l.startswith(("来源：", "来源:")) for l in ls) and not ends_sentence(ls[-1]):
        return "caption"
    toc = sum(1 for l in ls if TOC_LINE.search(l) and len(l) <= 80)
    if len(ls) >= 2 and toc >= 0.5 * len(ls):
        return "contents"
    if any(re.search(r"\.{5,}", l) for l in ls) and toc >= 0.3 * len(ls):
        return "contents"
    residue = [l for l in ls if re.fullmatch(r"[\d\s.,%\-—–]+", l)]
    notes = [l for l in ls if l not in residue and (FOOTNOTE.match(l) or is_furniture(l))]
    body = [l for l in ls if l not in residue and l not in notes]
    if (residue or notes) and len(squash("".join(body))) < 20:
        return "residue" if sum(map(len, residue)) > sum(map(len, notes)) else "footnote"
    if not any(ends_sentence(l) for l in ls) and not whole.startswith(("•", "»")):
        if len(whole) <= 60 and HEADING_NUM.match(ls[0]):
            return "heading"
        if len(whole) <= 30:
            return "heading"
    return None


# --- data ------------------------------------------------------------------

class Corpus:
    """The corpus files' lines, squashed passage text by (file, lines)."""

    def __init__(self, root):
        self.root = root
        self.lines = {}
        self.squashed = {}

    def file_lines(self, name):
        if name not in self.lines:
            with open(os.path.join(self.root, name), encoding="utf-8", errors="replace") as f:
                self.lines[name] = f.read().split("\n")
        return self.lines[name]

    def file_squashed(self, name):
        if name not in self.squashed:
            self.squashed[name] = squash("\n".join(self.file_lines(name)))
        return self.squashed[name]

    def passage_lines(self, path, first, last):
        return self.file_lines(os.path.basename(path))[first - 1:last]

    def in_endnotes(self, path, first):
        """Whether line first is past the file's "尾注" (endnotes) line."""
        lines = self.file_lines(os.path.basename(path))
        return any(l.strip() == "尾注" for l in lines[:first - 1])

    def noise(self, path, first, last):
        if self.in_endnotes(path, first):
            return "footnote"
        return noise_kind(self.passage_lines(path, first, last))

    def passage(self, path, first, last):
        return squash("\n".join(self.passage_lines(path, first, last)))


def spans(entry):
    s = entry["span"]
    return [s] if isinstance(s, str) else list(s)


def grade(entry):
    return entry.get("grade", 2)


def check_data(queries, corpus):
    """Every accepted span must exist in its file (a typo would silently
    make a query unanswerable), grades are 1..3, and a topic query's
    subject is mentioned in at least min_paragraphs paragraphs."""
    problems = []
    paras = {}
    for q in queries:
        if not q["accept"]:
            problems.append(f"{q['query']}: no accepted passage")
        for a in q["accept"]:
            path = os.path.join(corpus.root, a["file"])
            if not os.path.exists(path):
                problems.append(f"{q['query']}: no file {a['file']}")
                continue
            if not spans(a) or any(not isinstance(s, str) or not s.strip() for s in spans(a)):
                problems.append(f"{q['query']}: an empty span in {a['file']}")
            for s in spans(a):
                if isinstance(s, str) and squash(s) not in corpus.file_squashed(a["file"]):
                    problems.append(f"{q['query']}: span {s!r} is not in {a['file']}")
            if "grade" in a and a["grade"] not in (1, 2, 3):
                problems.append(f"{q['query']}: grade {a['grade']!r} is not 1, 2 or 3")
        need = q.get("min_paragraphs")
        if q.get("kind") == "topic" and need:
            terms = [squash(t).lower() for t in q.get("mentions", [])]
            if not terms:
                problems.append(f"{q['query']}: a topic query with min_paragraphs needs its mentions")
                continue
            count = 0
            for name in sorted(os.listdir(corpus.root)):
                if name.endswith(".json"):
                    continue
                if name not in paras:
                    paras[name] = [squash(t).lower() for _, _, t in paragraphs(os.path.join(corpus.root, name))
                                   if is_body(t)]
                count += sum(1 for t in paras[name] if any(x in t for x in terms))
            if count < need:
                problems.append(f"{q['query']}: mentioned in {count} paragraphs, fewer than {need}")
    return problems


# --- running and scoring ---------------------------------------------------

def run_query(search, db, q, k):
    cmd = [search, "--db", db, "--json", "-n", str(k), *q["args"], "--", q["query"]]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{q['query']}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    objs = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines() if line.strip()]
    return [o for o in objs if o["type"] == "hit"]


def score(q, hits, corpus, k):
    """The query's metrics, and per hit (grade for nDCG, raw grade, noise)."""
    entries = [(a["file"], [squash(s) for s in spans(a)], grade(a)) for a in q["accept"]]
    credited = set()
    dcg, first, rel5 = 0.0, None, 0
    rows = []
    for i, h in enumerate(hits[:k]):
        name = os.path.basename(h["path"])
        text = corpus.passage(h["path"], *h["lines"])
        contained = [j for j, (f, ss, _) in enumerate(entries) if f == name and any(s in text for s in ss)]
        raw = max((entries[j][2] for j in contained), default=0)
        new = max((entries[j][2] for j in contained if j not in credited), default=0)
        credited.update(contained)
        if new:
            dcg += (2 ** new - 1) / math.log2(i + 2)
        if raw and first is None:
            first = i + 1
        if raw and i < 5:
            rel5 += 1
        rows.append((h, new, raw, corpus.noise(h["path"], *h["lines"])))
    ideal = sorted((g for _, _, g in entries), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    m = {"success@10": 1.0 if first else 0.0, "MRR": 1.0 / first if first else 0.0,
         "P@5": rel5 / 5, "nDCG@10": dcg / idcg if idcg else 0.0}
    return m, first, rows


def group_of(kind):
    return kind if kind in GRADED_KINDS else "other"


def read_floor(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["floors"]


def main():
    args = parse_args()
    if not args.corpus or not os.path.isdir(args.corpus):
        print(f"skip: no shared corpus at {args.corpus or '(unset)'}", file=sys.stderr)
        return SKIP
    with open(args.queries, encoding="utf-8") as f:
        queries = json.load(f)["queries"]
    corpus = Corpus(args.corpus)
    problems = check_data(queries, corpus)
    try:
        floors = read_floor(args.floor)
    except (OSError, ValueError, KeyError) as e:
        problems.append(f"{args.floor}: {e}")
        floors = {}
    if problems:
        print("broken relevance data:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.check:
        print(f"data ok: {len(queries)} queries")
        return 0
    if not args.search or not os.path.exists(args.search):
        print("error: wensou-search not found (--search or WENSOU_SEARCH)", file=sys.stderr)
        return 1

    tmp = None
    db = args.db
    if not db:
        if not args.index or not os.path.exists(args.index):
            print("error: wensou-index not found (--index or WENSOU_INDEX)", file=sys.stderr)
            return 1
        tmp = tempfile.mkdtemp(prefix="wensou-relevance-")
        db = os.path.join(tmp, "index")
        p = subprocess.run([args.index, "--db", db, "--progress=never", args.corpus], capture_output=True,
                           text=True, timeout=600)
        if p.returncode != 0:
            print("wensou-index failed:\n" + p.stderr, file=sys.stderr)
            shutil.rmtree(tmp, ignore_errors=True)
            return 1
    results = []
    try:
        for q in queries:
            hits = run_query(args.search, db, q, args.k)
            m, first, rows = score(q, hits, corpus, args.k)
            results.append((q, m, rows))
            if args.verbose or not first:
                shown = " ".join(q["args"] + [q["query"]])
                top = ", ".join(f"{os.path.basename(h['path'])[:12]}:{h['lines'][0]}" for h in hits[:3])
                print(f"{'ok  ' if first else 'MISS'} {first or '-':>2}  nDCG {m['nDCG@10']:.2f}  "
                      f"{q.get('kind', 'word'):8} {shown}   [{top}]")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    # table by kind
    groups = {}
    for q, m, rows in results:
        kind = q.get("kind", "word")
        for g in (kind, group_of(kind) if group_of(kind) != kind else None,
                  "all" if kind not in SEPARATE_KINDS else None):
            if g:
                groups.setdefault(g, []).append(m)
    old_kinds = sorted({q.get("kind", "word") for q, _, _ in results} - set(GRADED_KINDS))
    order = (old_kinds + ["other"] + [k for k in NEW_KINDS if k in groups] + ["all"]
             + [k for k in SEPARATE_KINDS if k in groups])
    mean = {g: {x: sum(m[x] for m in groups[g]) / len(groups[g]) for x in METRICS} for g in order if g in groups}
    print(f"\n{'kind':<14}{'n':>4}  " + "  ".join(f"{x:>10}" for x in METRICS))
    for g in order:
        if g not in groups:
            continue
        if g in ("other", "all") or g == NEW_KINDS[0] or g == next((k for k in SEPARATE_KINDS if k in groups), None):
            print("-" * 64)
        label = f"  {g}" if g in old_kinds else g
        print(f"{label:<14}{len(groups[g]):>4}  " + "  ".join(f"{mean[g][x]:>10.3f}" for x in METRICS))

    # noise: of the queries in "all", then of each separate group
    print()
    for label, member in [("noise share", lambda kind: kind not in SEPARATE_KINDS)] + \
            [(f"{k} noise share", lambda kind, k=k: kind == k) for k in SEPARATE_KINDS if k in groups]:
        noise = {}
        total = 0
        for q, _, rows in results:
            if not member(q.get("kind", "word")):
                continue
            for _, _, _, nk in rows:
                total += 1
                if nk:
                    noise[nk] = noise.get(nk, 0) + 1
        share = sum(noise.values()) / total if total else 0.0
        detail = ", ".join(f"{k} {v}" for k, v in sorted(noise.items(), key=lambda kv: -kv[1])) or "none"
        print(f"{label}: {share:.3f} of {total} top-{args.k} hits are no body text ({detail})")

    if args.worst:
        new = sorted((r for r in results if r[0].get("kind") in GRADED_KINDS), key=lambda r: r[1]["nDCG@10"])
        print(f"\nworst {args.worst} topic/question/section/crosslang queries by nDCG@{args.k}:")
        for q, m, rows in new[:args.worst]:
            print(f"  {m['nDCG@10']:.3f}  {q['kind']:8} {q['query']}  (judged {len(q['accept'])})")
            for h, g, raw, nk in rows[:5]:
                print(f"        {h['rank']:>2} g{raw} {os.path.basename(h['path'])}:{h['lines'][0]}-{h['lines'][1]}"
                      f"{' [' + nk + ']' if nk else ''}\n              {h['snippet'][:70]}")

    failed = False
    for g, fl in sorted(floors.items()):
        for metric, floor in sorted(fl.items()):
            have = mean.get(g, {}).get(metric)
            if have is None:
                print(f"FAIL: floor for {g} {metric}, but no such queries", file=sys.stderr)
                failed = True
            elif have < floor:
                print(f"FAIL: {g} {metric} {have:.3f} is below the floor {floor:.3f}", file=sys.stderr)
                failed = True
            elif have >= floor + 0.02:
                print(f"note: {g} {metric} {have:.3f} is above its floor {floor:.2f}; raise it in "
                      f"{os.path.basename(args.floor)} to {math.floor(have * 100) / 100:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
