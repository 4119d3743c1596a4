"""Real-text corpus for the search benchmark: Debian man pages and packaged HTML documentation as Markdown notes.

Installs the packages when missing (as root), converts each page once (man pages with `mandoc -T utf8`, HTML
with lxml) and caches the result in .cache/bench-search/corpus-<version>.jsonl. Sizes larger than the real
corpus are filled with generated notes (words drawn by their real frequency per language), marked as such.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "bench-search"
CORPUS_VERSION = "v1"
MAN_ROOT = Path("/usr/share/man")
HTML_DOCS = {
    # package: (html root, tag, title suffix to strip)
    "python3-doc": (Path("/usr/share/doc/python3-doc/html"), "python", re.compile(r"\s+—\s+Python [\d.]+ documentation$")),
    "postgresql-doc-15": (Path("/usr/share/doc/postgresql-doc-15/html"), "postgresql", re.compile(r"$^")),
}
PACKAGES = [
    "mandoc", "manpages", "manpages-dev", "perl-doc", "python3-doc", "postgresql-doc-15", "libssl-doc",
    "tcl8.6-doc", "tk8.6-doc", "libx11-doc", "libxt-doc", "libpam-doc", "bash-doc",
    *(f"manpages-{lang}" for lang in
      "cs da de el es fi fr hu id it ja nb nl pl pt-br ro ru sv uk vi zh".split()),
    *(f"manpages-{lang}-dev" for lang in "cs da de es fr it ja nl pl pt-br ru uk".split()),
]
# Created dates spread over eight years, up to a fixed day (the benchmark must not depend on today).
DATE_START = datetime(2019, 1, 1, tzinfo=UTC)
DATE_END = datetime(2026, 12, 1, tzinfo=UTC)
TITLE_MAX = 200
PACKAGE_CAP = 2000
BODY_MAX = 900_000  # under the 1 MiB body limit, in bytes, for any script
SEE_ALSO = {
    "SEE ALSO", "VOIR AUSSI", "SIEHE AUCH", "VÉASE TAMBIÉN", "VEASE TAMBIEN", "VEDERE ANCHE", "VEDI ANCHE",
    "VEJA TAMBÉM", "VEJA TAMBEM", "ZOBACZ TAKŻE", "ZIE OOK", "СМОТРИТЕ ТАКЖЕ", "ДИВ. ТАКОЖ", "ДИВІТЬСЯ ТАКОЖ",
    "関連項目", "VIZ TAKÉ", "DALŠÍ INFORMACE", "VEZI ȘI", "VEZI ŞI", "SE OGSÅ", "SE ÄVEN", "KATSO MYÖS",
    "LÁSD MÉG", "LIHAT JUGA", "ΔΕΊΤΕ ΕΠΊΣΗΣ", "ΔΕΙΤΕ ΕΠΙΣΗΣ", "XEM THÊM", "参见", "參見",
}
_REF_RE = re.compile(r"\b([A-Za-z_][\w.+:-]*)\((\d[a-z]*)\)")
_HEADING_RE = re.compile(r"^(\S.*)$")


@dataclass
class Doc:
    key: str  # stable identity: the source path (or gen:<n>)
    title: str
    body: str
    lang: str
    tags: list[str]
    source: str  # man | html | generated
    created: str = ""
    updated: str = ""
    refs: list[str] = field(default_factory=list)  # man page names "ls(1)" referenced in SEE ALSO


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def ensure_packages() -> None:
    """apt-get install the corpus packages that are missing (root only; others use what is installed)."""
    missing = [
        name for name in PACKAGES
        if subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True).stdout
        != "install ok installed"
    ]
    if not missing or os.geteuid() != 0:
        return
    print(f"installing {len(missing)} corpus packages: {' '.join(missing)}", flush=True)
    stamp = Path("/tmp/.fbrain-apt-updated")
    if not stamp.exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        stamp.touch()
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", "--no-install-recommends", *missing],
        check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL,
    )


def _package_of_paths() -> dict[str, str]:
    owners: dict[str, str] = {}
    for listing in Path("/var/lib/dpkg/info").glob("*.list"):
        package = listing.stem.split(":")[0]
        for line in listing.read_text(errors="replace").splitlines():
            if line.startswith(("/usr/share/man/", "/usr/share/doc/")):
                owners[line] = package
    return owners


def _tag_part(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text).strip("-_") or "x"


def _man_files() -> Iterator[tuple[Path, str, str]]:
    """(path, language, section) of every real man page file (no symlinks, no `.so` redirections)."""
    for path in sorted(MAN_ROOT.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        parts = path.relative_to(MAN_ROOT).parts
        if len(parts) == 2 and parts[0].startswith("man"):
            lang = "en"
        elif len(parts) == 3 and parts[1].startswith("man"):
            lang = parts[0].split(".")[0].split("@")[0].replace("_", "-").lower()
        else:
            continue
        yield path, lang, parts[-2][3:]


def _read_man(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def convert_man(args: tuple[str, str, str, str]) -> dict | None:
    """One man page file to a Doc dict (title `name(section) — description`, body Markdown-ish text)."""
    path_text, lang, section, package = args
    path = Path(path_text)
    try:
        source = _read_man(path)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    if source.lstrip().startswith(b".so "):
        return None
    result = subprocess.run(
        ["mandoc", "-T", "utf8", "-O", "width=1000"], input=source, capture_output=True, timeout=60
    )
    text = re.sub(r".\x08", "", result.stdout.decode("utf-8", "replace"))
    lines = text.splitlines()
    if len(lines) < 4:
        return None
    lines = lines[1:-1]  # the running header and footer
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        if line and not line[0].isspace():
            sections.append((line.strip(), []))
        elif sections:
            sections[-1][1].append(line.strip())
    if not sections:
        return None
    name_lines = " ".join(line for line in sections[0][1] if line).strip()
    name = path.name.split(".")[0]
    description = name_lines.split(" - ", 1)[1].strip() if " - " in name_lines else name_lines
    title = f"{name}({section})" + (f" — {description}" if description else "")
    title = re.sub(r"\s+", " ", title)[:TITLE_MAX].strip()
    parts: list[str] = []
    refs: list[str] = []
    for heading, body_lines in sections:
        body = "\n".join(body_lines).strip()
        body = re.sub(r"\n{3,}", "\n\n", body)
        if heading.upper() in SEE_ALSO or "SEE ALSO" in heading.upper():
            refs += [f"{m.group(1)}({m.group(2)})" for m in _REF_RE.finditer(body)]
        # Code-like sections (#include, #define) stay fenced so that they are not read as #tags.
        if re.search(r"^#", body, re.MULTILINE):
            body = f"```\n{body}\n```"
        parts.append(f"## {heading}\n\n{body}")
    return asdict(Doc(
        key=str(path), title=title, body="\n\n".join(parts)[:BODY_MAX], lang=lang,
        tags=[f"man/{_tag_part(section)}", f"lang/{lang}", f"pkg/{_tag_part(package)}"], source="man", refs=refs,
    ))


_BLOCKS = {"p", "div", "section", "li", "dt", "dd", "tr", "table", "ul", "ol", "dl", "blockquote", "br"}


def convert_html(args: tuple[str, str, str]) -> dict | None:
    import lxml.html

    path_text, tag, suffix = args
    try:
        tree = lxml.html.parse(path_text)
    except (OSError, ValueError):
        return None
    root = tree.getroot()
    if root is None:
        return None
    title = re.sub(re.compile(suffix), "", (tree.findtext(".//title") or "").strip()).strip()
    main = root.xpath("//div[@role='main']") or root.xpath("//div[contains(@class,'refentry') or "
                                                           "contains(@class,'sect1') or contains(@class,'chapter')]")
    node = main[0] if main else root.find("body")
    if not title or node is None:
        return None
    for junk in node.xpath(".//a[contains(@class,'headerlink')] | .//div[contains(@class,'navheader')] | "
                           ".//div[contains(@class,'navfooter')] | .//script | .//style"):
        junk.drop_tree()
    for pre in node.iter("pre"):
        code = pre.text_content()
        for child in list(pre):
            pre.remove(child)
        pre.text = "\n\n```\n" + code.strip("\n") + "\n```\n\n"
    for element in node.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in {"h1", "h2", "h3", "h4", "h5"}:
            element.text = "\n\n" + "#" * int(element.tag[1]) + " " + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            if element.tag == "li":
                element.text = "- " + (element.text or "")
    text = node.text_content()
    chunks = re.split(r"(```\n.*?\n```)", text, flags=re.DOTALL)
    cleaned = []
    for index, chunk in enumerate(chunks):
        if index % 2:
            cleaned.append(chunk)
        else:
            paragraphs = [re.sub(r"[ \t\r\n]+", " ", p).strip() for p in re.split(r"\n\s*\n", chunk)]
            cleaned.append("\n\n".join(p for p in paragraphs if p))
    body = "\n\n".join(c for c in cleaned if c.strip())
    if len(body) < 200:
        return None
    return asdict(Doc(key=path_text, title=re.sub(r"\s+", " ", title)[:TITLE_MAX], body=body[:BODY_MAX], lang="en",
                      tags=[f"doc/{tag}", "lang/en"], source="html"))


def _unique_titles(docs: list[dict]) -> None:
    seen: set[str] = set()
    for doc in docs:
        title = doc["title"]
        if title.lower() in seen:
            title = f"{title[: TITLE_MAX - 8]} [{doc['lang']}]"
        number = 2
        base = title
        while title.lower() in seen:
            title = f"{base[: TITLE_MAX - 6]} ({number})"
            number += 1
        seen.add(title.lower())
        doc["title"] = title


@functools.cache
def build_real() -> list[dict]:
    """Every real page converted (cached): man pages of every installed package and language, HTML docs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"corpus-real-{CORPUS_VERSION}.jsonl"
    if path.exists():
        with path.open() as handle:
            return [json.loads(line) for line in handle]
    ensure_packages()
    if not shutil.which("mandoc"):
        raise SystemExit("mandoc is missing: apt-get install mandoc")
    owners = _package_of_paths()
    man_jobs = [(str(p), lang, sec, owners.get(str(p), "unknown")) for p, lang, sec in _man_files()]
    html_jobs = []
    for package, (html_root, tag, suffix) in HTML_DOCS.items():
        if html_root.exists():
            html_jobs += [(str(p), tag, suffix.pattern) for p in sorted(html_root.resolve().rglob("*.html"))
                          if "_static" not in p.parts and "genindex" not in p.name and p.name != "search.html"]
        else:
            print(f"skipping {package}: {html_root} missing", flush=True)
    print(f"converting {len(man_jobs)} man page files and {len(html_jobs)} HTML pages (once, cached)", flush=True)
    with multiprocessing.Pool(max(1, min(2, os.cpu_count() or 1))) as pool:
        docs = [d for d in pool.imap(convert_man, man_jobs, chunksize=64) if d]
        docs += [d for d in pool.imap(convert_html, html_jobs, chunksize=16) if d]
    _unique_titles(docs)
    _add_links(docs)
    with path.open("w") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return docs


def _add_links(docs: list[dict]) -> None:
    """SEE ALSO references to existing pages become [[Title|name(section)]] (same language, else English)."""
    by_ref: dict[tuple[str, str], str] = {}
    for doc in docs:
        if doc["source"] == "man":
            ref = doc["title"].split(" — ", 1)[0]
            by_ref.setdefault((doc["lang"], ref), doc["title"])
    for doc in docs:
        if not doc["refs"]:
            continue
        links = []
        for ref in dict.fromkeys(doc["refs"]):
            target = by_ref.get((doc["lang"], ref)) or by_ref.get(("en", ref))
            if target and target != doc["title"] and not re.search(r"[\[\]|#\n]", target):
                links.append(f"[[{target}|{ref}]]")
        if links:
            doc["body"] += "\n\nRelated: " + ", ".join(links)


_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def generate(real: list[dict], count: int, seed: int = 7) -> list[dict]:
    """`count` generated notes: per language, words drawn by their frequency in the real pages."""
    rng = random.Random(seed)
    vocab: dict[str, Counter[str]] = {}
    for doc in real[::5]:
        vocab.setdefault(doc["lang"], Counter()).update(_WORD_RE.findall(doc["body"][:5000].lower()))
    langs = [lang for lang, words in vocab.items() if len(words) > 2000]
    per_lang = Counter(doc["lang"] for doc in real)
    weights = [per_lang[lang] for lang in langs]  # as many generated notes per language as real ones
    # Cumulative weights once per language: choices() would sum them again on every call.
    tables = {lang: (list(vocab[lang]), list(itertools.accumulate(vocab[lang].values()))) for lang in langs}
    titles = {doc["title"].lower() for doc in real}
    linkable = [doc["title"] for doc in real if not re.search(r"[\[\]|#\n]", doc["title"])]
    out = []
    for number in range(count):
        lang = rng.choices(langs, weights)[0]
        words, freq = tables[lang]
        while True:
            title = " ".join(rng.choices(words, cum_weights=freq, k=rng.randint(2, 6))).capitalize()
            if title.lower() not in titles:
                titles.add(title.lower())
                break
        paragraphs = [
            " ".join(rng.choices(words, cum_weights=freq, k=rng.randint(8, 60))).capitalize() + "."
            for _ in range(rng.randint(1, 8))
        ]
        if rng.random() < 0.4:
            paragraphs.append("See " + ", ".join(f"[[{t}]]" for t in rng.sample(linkable, rng.randint(1, 3))))
        out.append(asdict(Doc(key=f"gen:{number}", title=title[:TITLE_MAX], body="\n\n".join(paragraphs),
                              lang=lang, tags=["generated", f"lang/{lang}"], source="generated")))
    return out


def _generated(real: list[dict], count: int) -> list[dict]:
    """generate() cached on disk: the same seed gives the same notes, and generating 80 000 takes minutes."""
    path = CACHE / f"generated-{CORPUS_VERSION}-{count}.jsonl"
    if path.exists():
        with path.open() as handle:
            return [json.loads(line) for line in handle]
    docs = generate(real, count)
    with path.with_suffix(".tmp").open("w") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    path.with_suffix(".tmp").rename(path)
    return docs


def capped(real: list[dict]) -> list[dict]:
    """At most PACKAGE_CAP pages of one package: a family of templated pages (google-cloud-cli ships 16 000
    man pages) would otherwise be half of the corpus."""
    by_package: dict[str, list[dict]] = {}
    for doc in real:
        package = next((t for t in doc["tags"] if t.startswith(("pkg/", "doc/"))), "")
        by_package.setdefault(package, []).append(doc)
    kept = []
    for package, docs in sorted(by_package.items()):
        if len(docs) > PACKAGE_CAP:
            docs = random.Random(package).sample(sorted(docs, key=lambda d: d["key"]), PACKAGE_CAP)
        kept += docs
    return sorted(kept, key=lambda d: d["key"])


def corpus(size: int, seed: int = 1) -> list[dict]:
    """The first `size` notes of a seeded shuffle of the real pages (then generated ones), with dates.

    Sizes are nested: the 10 000 notes are the first 10 000 of the 50 000, and so on.
    """
    real = capped(build_real())
    rng = random.Random(seed)
    order = list(range(len(real)))
    rng.shuffle(order)
    docs = [real[i] for i in order[:size]]
    if size > len(docs):
        docs += _generated(real, size - len(docs))
    dates = random.Random(seed + 1)
    span = (DATE_END - DATE_START).total_seconds()
    for doc in docs:
        created = DATE_START + timedelta(seconds=dates.random() * span)
        # Most notes are edited soon after they are written, a few much later.
        later = min(dates.expovariate(1 / (30 * 86400)), (DATE_END - created).total_seconds())
        doc["created"] = created.isoformat()
        doc["updated"] = (created + timedelta(seconds=later)).isoformat()
    return docs


def stats(docs: list[dict]) -> dict:
    lengths = sorted(len(doc["body"]) for doc in docs)
    langs = Counter(doc["lang"] for doc in docs)
    return {
        "notes": len(docs),
        "real": sum(doc["source"] != "generated" for doc in docs),
        "generated": sum(doc["source"] == "generated" for doc in docs),
        "sources": dict(Counter(doc["source"] for doc in docs)),
        "body_chars_median": lengths[len(lengths) // 2],
        "body_chars_p90": lengths[int(len(lengths) * 0.9)],
        "body_chars_max": lengths[-1],
        "languages": dict(langs.most_common()),
        "links": sum(doc["body"].count("[[") for doc in docs),
    }


if __name__ == "__main__":
    real_docs = build_real()
    print(json.dumps(stats(real_docs), indent=2))
