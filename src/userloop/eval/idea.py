"""Emerging issues end to end on IDEA's apps, scored against their changelogs.

Data: ``<datasets>/idea/<app>/total_info.txt`` (one review a line, fields joined by ``******``;
Android ``rating, text, date, version``, iOS ``rating, text, title, date, version, nation``) and
``changelog_<app>.txt`` (one line per version, comma-separated issues of space-separated key
words; a blank line: no usable changelog). Source: Gao et al., "Online App Review Analysis for
Identifying Emerging Issues", ICSE 2018, github.com/cuiyungao/IDEA (ReMine-Lab/IDEA).

Each app runs what a deployment runs: its reviews go through intake into a fresh SQLite store
(with build and date), the triage pipeline assigns topics, re-clustering runs once, and
``services.emerging`` flags topics for every build. The flags are scored with IDEA's
``validation()`` (src/main.py of ReMine-Lab/IDEA), reproduced by :func:`score` (the protocol
and where it differs: docs/insight.md, "Measuring against IDEA").
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from userloop.config import Settings
from userloop.container import Services, build_triage
from userloop.insight.emerging import EmergingConfig
from userloop.insight.service import EmergingService
from userloop.store import Store
from userloop.store.queries.emerging import EmergingQueries
from userloop.triage.pipeline import TriageComponents
from userloop.triage.topics.keywords import STOPWORDS

SEPARATOR = "******"
MIN_REVIEWS = 50  # IDEA keeps a version only with more reviews than this
TOPICS_PER_VERSION = 12  # IDEA's TopicNum: the labelled topics of a version
LABEL_WORDS = 3  # IDEA's CandidateNum: label phrases per topic (emerging topics: 3 as well)
# Gao et al. 2018, as the datasets' README and issue 12 give them.
IDEA_REPORTED = {
    "f_hybrid_per_app": "0.546-0.638",
    "mean_over_six_apps": {"precision": 0.604, "recall": 0.603, "f_hybrid": 0.585},
}
# IDEA's own stop list (src/main.py, `my_stoplst`, MIT), added to English stop words: IDEA drops
# these from its vocabulary, so they never label a topic there.
_IDEA_STOP_TEXT = """
app good excellent awesome please they very too like love nice yeah amazing lovely perfect much
bad best yup suck super thank great really omg gud yes cool fine hello alright poor plz pls google
facebook three ones one two five four old new asap version times update star first rid bit
annoying beautiful dear master evernote per line oh ah cannot doesnt won't dont unless you're
aren't i'd can't wouldn't around i've i'll gonna ago you'll you'd 28th gen it'll vice would've
wasn't year boy they'd isnt 1st i'm nobody youtube isn't don't 2016 2017 since near god
"""
# English clitics as the authors' lemmatiser leaves them ("n't"): no topic label in IDEA either.
IDEA_STOPLIST = frozenset(_IDEA_STOP_TEXT.split()) | {
    "n't",
    "'s",
    "ve",
    "'ve",
    "ll",
    "'ll",
    "'re",
    "'d",
    "'m",
}
_CHUNK = 1000
_DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y")


@dataclass(frozen=True, slots=True)
class Review:
    line: int
    rating: int | None
    text: str
    created_at: datetime | None
    version: str


@dataclass(frozen=True, slots=True)
class IdeaApp:
    name: str
    reviews: list[Review]  # only those of `versions`
    versions: list[str]  # IDEA's epochs: more than MIN_REVIEWS reviews, numeric version order
    changelog: list[list[list[str]]]  # per version: issues, each a list of key words


def _date(value: str) -> datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).replace(hour=12, tzinfo=UTC)
        except ValueError:
            continue
    return None


def _rating(value: str) -> int | None:
    try:
        number = round(float(value))
    except ValueError:
        return None
    return number if 1 <= number <= 5 else None


def parse_reviews(lines: Sequence[str]) -> list[Review]:
    """Reviews of a ``total_info.txt`` (Android's 4 fields or iOS's 6); other lines are
    skipped, as IDEA skips them."""
    out: list[Review] = []
    for number, raw in enumerate(lines, start=1):
        fields = raw.rstrip("\r\n").split(SEPARATOR)
        if len(fields) == 4:
            rating, text, day, version = fields
        elif len(fields) == 6:
            rating, text, _title, day, version, _nation = fields
        else:
            continue
        if not text.strip() or not version.strip():
            continue
        out.append(Review(number, _rating(rating), text.strip(), _date(day), version.strip()))
    return out


def parse_changelog(lines: Sequence[str]) -> list[list[list[str]]]:
    """Per line: its issues (comma-separated), each a list of key words (space-separated).
    A blank line is a version without a usable changelog (an empty list)."""
    out: list[list[list[str]]] = []
    for raw in lines:
        issues = [part.split() for part in raw.strip().split(",")]
        out.append([issue for issue in issues if issue])
    return out


def _version_key(version: str) -> tuple[Any, ...]:
    parts = version.split(".")
    if all(p.isdigit() for p in parts):
        return (0, *map(int, parts))
    return (1, version)


def idea_versions(reviews: Sequence[Review], min_reviews: int = MIN_REVIEWS) -> list[str]:
    """IDEA's epochs: versions (not "Unknown") with more than `min_reviews` reviews, sorted by
    their numeric parts."""
    counts: dict[str, int] = {}
    for review in reviews:
        counts[review.version] = counts.get(review.version, 0) + 1
    kept = [v for v, n in counts.items() if v != "Unknown" and n > min_reviews]
    return sorted(kept, key=_version_key)


def read_app(folder: Path) -> IdeaApp:
    reviews = parse_reviews(
        (folder / "total_info.txt").read_text(encoding="utf-8", errors="replace").splitlines()
    )
    logs = sorted(folder.glob("changelog_*.txt"))
    if not logs:
        raise FileNotFoundError(f"no changelog_*.txt in {folder}")
    changelog = parse_changelog(logs[0].read_text(encoding="utf-8").splitlines())
    versions = idea_versions(reviews)
    if len(changelog) != len(versions):
        raise ValueError(
            f"{folder.name}: {len(changelog)} changelog lines for {len(versions)} versions"
        )
    kept = set(versions)
    return IdeaApp(folder.name, [r for r in reviews if r.version in kept], versions, changelog)


def _stem(word: str) -> str:
    word = re.sub(r"[^0-9a-z]+", "", word.lower())
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def words_match(keyword: str, label: str) -> bool:
    """A changelog key word against a topic's label word: IDEA splits the label at "_" and
    asks word2vec similarity > 0.6 of any part; here any part (split at "_", "-" or space) must
    equal the key word after lower-casing and dropping a plural "s"."""
    key = _stem(keyword)
    return bool(key) and any(_stem(part) == key for part in re.split(r"[_\s-]+", label))


SIMILARITY = 0.6  # IDEA's word2vec threshold, applied to the embedder's cosine here


class SimilarWords:
    """IDEA's matching with an embedder in place of its app-review word2vec: a key word and a
    label word's part match when they are equal (as in :func:`words_match`) or the cosine of
    their embeddings is above `threshold`. Embeddings are computed once per word."""

    def __init__(
        self, embed: Callable[[Sequence[str]], Any], threshold: float = SIMILARITY
    ) -> None:
        self.embed = embed
        self.threshold = threshold
        self.vectors: dict[str, np.ndarray] = {}

    def prepare(self, words: Sequence[str]) -> None:
        todo = sorted({w for word in words for w in _parts(word)} - set(self.vectors))
        for start in range(0, len(todo), 256):
            chunk = todo[start : start + 256]
            matrix = np.asarray(self.embed(chunk), dtype=np.float64)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms > 0, norms, 1.0)
            self.vectors.update(zip(chunk, matrix, strict=True))

    def __call__(self, keyword: str, label: str) -> bool:
        if words_match(keyword, label):
            return True
        self.prepare([keyword, label])
        return any(
            float(self.vectors[k] @ self.vectors[p]) > self.threshold
            for k in _parts(keyword)
            for p in _parts(label)
        )


def _parts(word: str) -> list[str]:
    return [p for p in re.split(r"[_\s-]+", word.lower()) if p]


def _hits(issue: Sequence[str], words: Sequence[str], match: Callable[[str, str], bool]) -> bool:
    return any(match(kw, w) for kw in issue for w in words)


def score(
    versions: Sequence[str],
    changelog: Sequence[Sequence[Sequence[str]]],
    labels: Mapping[str, Sequence[Sequence[str]]],
    emerging: Mapping[str, Sequence[Sequence[str]]],
    match: Callable[[str, str], bool] = words_match,
) -> dict[str, Any]:
    """IDEA's validation(): per version with a changelog, the changelog issues of it and of the
    next version (when that one has a changelog) are the truth.

    - recall (of a version): the share of those issues (duplicates counted in the denominator,
      once in the numerator, as IDEA does) that some label word of the version's topics
      matches; `labels[v]` holds the topics' label words;
    - precision (of a version after the first, with at least one emerging topic): the share of
      its emerging topics (`emerging[v]`, distinct word lists) with a word that matches some
      issue's key word;
    - emerging recall: matched issues over the version's own issues (IDEA's em recall);
    - F-hybrid: 2PR / (P + R) of the mean precision and the mean recall.
    """
    precisions: list[float] = []
    recalls: list[float] = []
    em_recalls: list[float] = []
    per_version: list[dict[str, Any]] = []
    for index, version in enumerate(versions):
        own = [list(i) for i in changelog[index]]
        if not own:
            continue
        nxt = [list(i) for i in changelog[index + 1]] if index + 1 < len(changelog) else []
        truth = own + nxt
        words = [w for topic in labels.get(version, []) for w in topic]
        covered = {"_".join(i) for i in truth if _hits(i, words, match)}
        recall = len(covered) / len(truth)
        recalls.append(recall)
        row: dict[str, Any] = {"version": version, "issues": len(truth), "recall": recall}
        if index > 0:
            flagged = [list(t) for t in emerging.get(version, [])]
            right = {"_".join(t) for t in flagged if any(_hits(i, t, match) for i in truth)}
            found = {"_".join(i) for i in truth if any(_hits(i, t, match) for t in flagged)}
            em_recall = len(found) / len(own)
            em_recalls.append(em_recall)
            row.update(emerging=len(flagged), emerging_recall=em_recall)
            if flagged:
                precision = len(right) / len(flagged)
                precisions.append(precision)
                row["precision"] = precision
        per_version.append(row)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return {
        "precision": p,
        "recall": r,
        "f_hybrid": 2 * p * r / (p + r) if p + r > 0 else 0.0,
        "emerging_recall": sum(em_recalls) / len(em_recalls) if em_recalls else 0.0,
        "versions_scored": len(recalls),
        "versions_with_flags": len(precisions),
        "versions": per_version,
    }


def _topics_by_version(services: Services, product: str) -> tuple[list[str], dict[str, Any]]:
    """The store's release order and, per build, its TOPICS_PER_VERSION largest topics'
    label words (:func:`version_labels`)."""
    queries = EmergingQueries()
    labels: dict[str, list[list[str]]] = {}
    with services.store.read() as conn:
        counts = queries.counts(conn, product)
        for build in counts.builds:
            sizes = [(n, t) for (v, t), n in counts.reporters.items() if v == build.version]
            top = [t for _n, t in sorted(sizes, key=lambda x: (-x[0], x[1]))][:TOPICS_PER_VERSION]
            found = queries.evidence(conn, product, build.version, top, texts=0)
            labels[build.version] = version_labels([found[t].keywords for t in top if t in found])
    return [b.version for b in counts.builds], labels


def version_labels(
    topics: Sequence[Mapping[str, Sequence[str]]], n: int = LABEL_WORDS
) -> list[list[str]]:
    """Label words of a version's topics, largest first: each topic's first `n` keywords
    (:func:`label_words`) that share no word with a label of a larger topic of the version.
    IDEA scores a label phrase by its relevance to the topic minus mu times its relevance to
    the version's other topics, so a phrase that labels several topics labels none well;
    skipping words a larger topic already shows is the same preference in keyword form.
    Topics left without a word are dropped."""
    used: set[str] = set()
    out: list[list[str]] = []
    for keywords in topics:
        words = label_words(keywords, n, skip=used)
        used.update(part for word in words for part in _parts(word))
        if words:
            out.append(words)
    return out


def label_words(
    keywords: Mapping[str, Sequence[str]], n: int = LABEL_WORDS, *, skip: Set[str] = frozenset()
) -> list[str]:
    """A topic's first `n` keywords (over its languages, best first) that are not stop words
    (English, and IDEA's own list; a phrase is dropped when all its words are) and share no
    word with `skip`."""
    stop = STOPWORDS.get("en", frozenset()) | IDEA_STOPLIST
    words: dict[str, None] = {}
    for language_words in keywords.values():
        for word in language_words:
            parts = _parts(word)
            if any(part not in stop for part in parts) and not any(part in skip for part in parts):
                words.setdefault(word, None)
    return list(words)[:n]


def run_app(
    app: IdeaApp,
    settings: Settings,
    components: Callable[[Settings], TriageComponents] | None = None,
    similar: SimilarWords | None = None,
    window: int | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """One app through intake, triage, re-clustering and `services.emerging`; scored with
    `similar` (and, for comparison, with exact matching), or with exact matching alone."""
    with tempfile.TemporaryDirectory(prefix="userloop-idea-") as folder:
        url = f"sqlite:///{Path(folder) / 'idea.db'}"
        run_settings = settings.model_copy(update={"database_url": url})
        store = Store.from_url(url)
        store.upgrade()  # before the services read the installation's keys
        triage = None
        if components is not None:
            triage = build_triage(run_settings, store, components(run_settings))
        services = Services.build(run_settings, store, triage)
        product = re.sub(r"[^a-z0-9-]+", "-", app.name.lower()).strip("-")[:63] or "app"
        try:
            started = time.perf_counter()
            for start in range(0, len(app.reviews), _CHUNK):
                services.intake.submit_batch(
                    [
                        {
                            "text": r.text,
                            "product": product,
                            "external_id": f"idea-{r.line}",
                            "build": r.version,
                            "rating": r.rating,
                            "created_at": r.created_at,
                        }
                        for r in app.reviews[start : start + _CHUNK]
                    ],
                    default_source="idea",
                )
            services.triage.drain()
            triaged = time.perf_counter() - started
            services.triage.recluster()
            config = EmergingConfig(window=window)
            flagged = EmergingService(services.store, config).emerging(
                all_builds=True, product=product
            )
            order, labels = _topics_by_version(services, product)
        finally:
            services.store.close()
    emerging: dict[str, list[list[str]]] = {}
    for issue in flagged:
        emerging.setdefault(issue.build, []).append(label_words({"": issue.terms}))
    exact = score(app.versions, app.changelog, labels, emerging)
    result = exact
    if similar is not None:
        similar.prepare(
            [kw for line in app.changelog for issue in line for kw in issue]
            + [w for table in (labels, emerging) for ts in table.values() for t in ts for w in t]
        )
        result = score(app.versions, app.changelog, labels, emerging, similar)
        result["exact"] = {k: exact[k] for k in ("precision", "recall", "f_hybrid")}
    result.update(
        match="exact" if similar is None else f"similar (cosine > {similar.threshold})",
        reviews=len(app.reviews),
        versions_total=len(app.versions),
        flags=len(flagged),
        store_order_matches=order == app.versions,
        triage_seconds=round(triaged, 1),
        emerging_terms={v: emerging.get(v, []) for v in app.versions},
    )
    line = f"{app.name:<30}" + "".join(
        f"{result[k]:>10.3f}" for k in ("precision", "recall", "f_hybrid", "emerging_recall")
    )
    if similar is not None:
        line += f"{exact['f_hybrid']:>10.3f}"
    out(f"{line}{len(flagged):>7}{len(app.reviews):>9}{triaged:>9.0f}")
    return result


def run_idea_eval(
    datasets_dir: Path,
    *,
    settings: Settings | None = None,
    app: str | None = None,
    components: Callable[[Settings], TriageComponents] | None = None,
    embed: Callable[[Sequence[str]], Any] | None = None,
    window: int | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every app under ``<datasets_dir>/idea/`` (or the one named `app`), scored; words match
    by `embed`'s cosine (IDEA's similarity) when given, else only when equal. `window`: the
    emerging rule compares a build with the last `window` builds (None: all earlier, the
    `userloop emerging` default)."""
    root = datasets_dir / "idea"
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if app is not None:
        folders = [p for p in folders if p.name == app]
    if not folders:
        raise FileNotFoundError(f"no IDEA app folder{' ' + app if app else ''} under {root}")
    base = settings or Settings()
    similar = SimilarWords(embed) if embed is not None else None
    match = "exact words" if similar is None else f"embedding cosine > {SIMILARITY} or equal"
    against = "all earlier builds" if window is None else f"the last {window} build(s)"
    out(
        f"Emerging issues per build against the changelog (IDEA's protocol; match: {match}; "
        f"each build against {against})"
    )
    head = ["precision", "recall", "F-hybrid", "em.recall"] + (["F exact"] if similar else [])
    out(
        f"{'app':<30}"
        + "".join(f"{h:>10}" for h in head)
        + f"{'flags':>7}{'reviews':>9}{'triage s':>9}"
    )
    apps = {
        f.name: run_app(read_app(f), base, components, similar, window, out=out) for f in folders
    }
    return {
        "dataset": "IDEA (github.com/cuiyungao/IDEA), Gao et al. ICSE 2018",
        "match": match,
        "window": window,
        "apps": apps,
        "idea_reported": IDEA_REPORTED,
    }
