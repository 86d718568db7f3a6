#!/usr/bin/env python3
"""Check a glossary (doc/glossary.md) and its CHECKED.md.

The glossary: one concept a line, forms separated by " | ", "#" comment
lines, no trailing comments, no form in two concepts (compared without
case and white space), no one-character Chinese form, no one-letter form,
no abbreviation of the deny list below, the preferred (first) form
Chinese where the concept has a Chinese form.

CHECKED.md (with --corpus): one table row per form, "| concept | form |
where |", where "where" is "not in corpus" or "KEY:LINE", either with an
optional note in parentheses, KEY one of the corpus files below.  A cited form must
begin on that line of that file (compared without case, and without
white space for Chinese so that words broken across lines count; an
English form must not continue a longer word); a form said not to be in
the corpus must occur nowhere in it.  Every form of the glossary has
exactly one row, under its concept's preferred form.

Exit status: 0 ok, 1 problems, 77 with --corpus given but absent.
"""

import argparse
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

# Abbreviations that are also common words or common other names: a query
# for the word would be expanded to the concept.
DENY = {"it", "ca", "who", "laws", "cop", "pets", "trips", "us", "ip", "dst", "dac", "ita", "itc",
        "pet", "law", "art", "can", "may", "cat", "am", "is", "on", "in", "at", "as", "an", "or", "no"}

FILES = {
    "bb25": "caict-global-digital-governance-bluebook-2025.txt",
    "wp22": "caict-global-digital-governance-whitepaper-2022.txt",
    "wp23": "caict-global-digital-governance-whitepaper-2023.txt",
    "cisc": "cisc-global-digital-compact-commentary-2024.md",
    "un": "un-global-digital-compact-policy-brief-2023.txt",
}

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def key(form):
    """A form as compared between concepts: NFKC, no case, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", form).lower())


def load_glossary(path):
    """[(line number, group, [forms])] and the problems found."""
    concepts, problems, group = [], [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("#"):
                m = re.match(r"#\s*---\s*(.*?)\s*---\s*$", line)
                if m:
                    group = m.group(1)
                continue
            if not line.strip():
                continue
            where = f"{os.path.basename(path)}:{n}"
            if line != line.strip():
                problems.append(f"{where}: white space at the start or end of the line")
            if "#" in line:
                problems.append(f"{where}: '#' in a concept line (no trailing comments)")
            forms = line.strip().split(" | ")
            for fm in forms:
                if not fm or fm != fm.strip() or "|" in fm or "  " in fm:
                    problems.append(f"{where}: badly separated form {fm!r} (forms are separated by ' | ')")
                    continue
                if "?" in fm or "？" in fm:
                    problems.append(f"{where}: {fm!r}: a question mark in a form")
                if len(fm) == 1:
                    problems.append(f"{where}: {fm!r}: a form of one character")
                if fm.lower() in DENY:
                    problems.append(f"{where}: {fm!r}: an abbreviation that is also a common word")
            if any(HAN.search(fm) for fm in forms) and not HAN.search(forms[0]):
                problems.append(f"{where}: the preferred form {forms[0]!r} is not the Chinese one")
            seen = set()
            for fm in forms:
                k = " ".join(fm.lower().split())
                if k in seen:
                    problems.append(f"{where}: {fm!r} twice in the concept")
                seen.add(k)
            concepts.append((n, group, forms))
    owner = {}
    for n, _, forms in concepts:
        for fm in forms:
            k = key(fm)
            if k in owner and owner[k][0] != n:
                problems.append(f"line {n}: {fm!r} is also a form of the concept on line {owner[k][0]} "
                                f"({owner[k][1]!r})")
            owner.setdefault(k, (n, fm))
    return concepts, problems


# --- the corpus ------------------------------------------------------------

class Corpus:
    def __init__(self, root):
        self.root = root
        self.cache = {}

    def load(self, name):
        """The file as squashed lower-case text (no white space) and as
        lower-case text with each line's white space kept and lines joined
        by a space, each with the line number of every character."""
        if name not in self.cache:
            with open(os.path.join(self.root, name), encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            sq, sqmap, sp, spmap = [], [], [], []
            for i, l in enumerate(lines, 1):
                for ch in l:
                    if not ch.isspace():
                        sq.append(ch)
                        sqmap.append(i)
                s = l.strip()
                if s:
                    sp.extend(s)
                    spmap.extend([i] * len(s))
                    sp.append(" ")
                    spmap.append(i)
            self.cache[name] = ("".join(sq).lower(), sqmap, "".join(sp).lower(), spmap)
        return self.cache[name]

    def occurrences(self, name, form):
        """The line numbers where the form begins in the file: a form with
        Chinese matched in the squashed text (PDF extraction breaks lines
        inside words); an ASCII form as words, separated by any white
        space, line breaks included, and not continuing a longer word."""
        sq, sqmap, sp, spmap = self.load(name)
        fl = form.lower()
        out = []
        if all(ord(c) < 128 for c in form):
            pat = r"(?<![a-z0-9])" + r"\s+".join(re.escape(p) for p in fl.split()) + r"(?![a-z0-9])"
            for m in re.finditer(pat, sp):
                out.append(spmap[m.start()])
        else:
            k = re.sub(r"\s+", "", fl)
            i = sq.find(k)
            while i >= 0:
                out.append(sqmap[i])
                i = sq.find(k, i + 1)
        return out


ROW = re.compile(r"^\|(.*)\|\s*$")
WHERE = re.compile(r"^(?P<file>[a-z0-9]+):(?P<line>\d+)(?:\s+\((?P<note>.*)\))?$")


def check_checked(path, concepts, corpus):
    problems = []
    forms_of = {forms[0]: forms for _, _, forms in concepts}
    rows = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = ROW.match(line.strip())
            if not m:
                continue
            cells = [c.strip() for c in m.group(1).split("|")]
            if len(cells) != 3 or cells[0] in ("concept", "") or set(cells[0]) <= set("-: "):
                continue
            concept, form, where = (c.replace("\\|", "|") for c in cells)
            concept, form = concept.strip("`"), form.strip("`")
            w = f"{os.path.basename(path)}:{n}"
            if concept not in forms_of:
                problems.append(f"{w}: {concept!r} is no concept's preferred form")
                continue
            if form not in forms_of[concept]:
                problems.append(f"{w}: {form!r} is not a form of {concept!r}")
                continue
            if (concept, form) in rows:
                problems.append(f"{w}: {form!r} of {concept!r} listed twice")
            rows[(concept, form)] = where
            if where == "not in corpus" or where.startswith("not in corpus ("):
                hits = [(k, corpus.occurrences(fn, form)) for k, fn in FILES.items()]
                hits = [f"{k}:{ls[0]}" for k, ls in hits if ls]
                if hits:
                    problems.append(f"{w}: {form!r} is said not to be in the corpus but occurs at {', '.join(hits)}")
                continue
            mw = WHERE.match(where)
            if not mw or mw.group("file") not in FILES:
                problems.append(f"{w}: bad place {where!r} (KEY:LINE (note) or 'not in corpus')")
                continue
            if int(mw.group("line")) not in corpus.occurrences(FILES[mw.group("file")], form):
                problems.append(f"{w}: {form!r} does not begin at {mw.group('file')}:{mw.group('line')}")
    for _, _, forms in concepts:
        for fm in forms:
            if (forms[0], fm) not in rows:
                problems.append(f"{os.path.basename(path)}: no row for {fm!r} of {forms[0]!r}")
    return problems, rows


def in_text(rows, forms):
    """Whether a concept has a form cited in the text: not only in a URL,
    not only inside a longer form of another concept."""
    for fm in forms:
        w = rows.get((forms[0], fm), "not in corpus")
        if not w.startswith("not in corpus") and "only in a URL" not in w and "only inside" not in w:
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--glossary", default=os.path.join(HERE, "digital-governance.txt"))
    ap.add_argument("--checked", default=os.path.join(HERE, "CHECKED.md"))
    ap.add_argument("--corpus", default=os.environ.get("WENSOU_SHARED_CORPUS", ""),
                    help="../shared/corpus, to check CHECKED.md")
    args = ap.parse_args()
    concepts, problems = load_glossary(args.glossary)
    groups = {}
    for _, g, _ in concepts:
        groups[g] = groups.get(g, 0) + 1
    rows = None
    if args.corpus:
        if not os.path.isdir(args.corpus):
            print(f"skip: no corpus at {args.corpus}", file=sys.stderr)
            return SKIP
        more, rows = check_checked(args.checked, concepts, Corpus(args.corpus))
        problems += more
    if problems:
        print("glossary problems:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    nforms = sum(len(f) for _, _, f in concepts)
    print(f"glossary ok: {len(concepts)} concepts, {nforms} forms")
    for g, c in groups.items():
        line = f"  {c:4}  {g}"
        if rows is not None:
            inc = sum(1 for _, gg, forms in concepts if gg == g and in_text(rows, forms))
            line += f"  ({inc} in the corpus)"
        print(line)
    if rows is not None:
        inc = sum(1 for _, _, forms in concepts if in_text(rows, forms))
        print(f"  {inc} of {len(concepts)} concepts have a form in the corpus's text "
              f"(not only in a URL or inside another concept's form)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
