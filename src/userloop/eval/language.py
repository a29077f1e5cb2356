"""Language evaluation on GitBugs' multilingual VS Code set (1,381 issues, machine-translated).

**Detection** (:func:`run_language_eval`). Text: the issue as its reporter wrote it, title
then body, without the English that VS Code's issue reporter adds (template comments,
``Issue Type: <b>Bug</b>``, system-info lines, fenced code, URLs:
:func:`userloop.eval.data.vscode_original_text`); only texts of at least 20 characters after
that count. Two sources of truth disagree on ~15% of issues: ``src_lang``, the language
Google's translator saw in the body (it says ``en`` for 142 issues, mostly Chinese or Russian
reports whose body is an English template or an English translation the reporter added), and
the triage label ``translation-required-<language>``. So:

* ``agreed`` (the headline): issues whose label and ``src_lang`` name the same language;
* ``src_lang`` and ``label``: each source alone, for reference (they include the issues on
  which the two sources disagree, where at most one of them can be right).

Tags: ``zh-CN`` / ``chinese-simplified`` → ``zh-Hans``, ``zh-TW`` / ``chinese-traditional`` →
``zh-Hant``, ``portuguese-brazil`` → ``pt``, other names → their ISO 639-1 code. A prediction
is right only when the tag is equal, so the wrong Chinese script counts as an error (also
reported merged). Issues whose language is outside the detector's set (Persian, Ukrainian,
Vietnamese, ...) are left out of the accuracy and listed with what they were detected as.

**Cross-lingual retrieval** (:func:`run_crosslingual_eval`). Each issue's original text is
embedded and compared by cosine with English translations. ``per service``: among that
service's translations of all issues (Google's translate the body only, so its queries are
the body only; the other services translate title and body). ``pooled``: among the
translations of all four services together, a hit when one of the same issue's
translations is in the top k. Reported per service and per source language (``src_lang``
mapped as above, ``unknown`` where empty; ``en`` are the issues Google saw as English).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from userloop.eval.data import (
    DEFAULT_CACHE_DIR,
    TRANSLATION_SERVICES,
    TranslatedIssue,
    clean_vscode_text,
    embed_cached,
    read_vscode_multilingual,
    vscode_original_text,
)
from userloop.triage.embed.base import Embedder
from userloop.triage.language import UNDETERMINED, LanguageDetector

MIN_CHARS = 20
KS = (1, 5)
_LABEL_PREFIX = "translation-required-"

#: ``translation-required-<name>`` label names → BCP 47 tags.
LABEL_TAGS: dict[str, str] = {
    "arabic": "ar",
    "chinese-simplified": "zh-Hans",
    "chinese-traditional": "zh-Hant",
    "czech": "cs",
    "french": "fr",
    "german": "de",
    "indonesian": "id",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "persian": "fa",
    "polish": "pl",
    "portuguese-brazil": "pt",
    "russian": "ru",
    "spanish": "es",
    "swedish": "sv",
    "thai": "th",
    "tongan": "to",
    "turkish": "tr",
    "ukrainian": "uk",
    "vietnamese": "vi",
}

#: Google-style ``src_lang`` codes that differ from our tags.
SRC_LANG_TAGS: dict[str, str] = {"zh-CN": "zh-Hans", "zh-TW": "zh-Hant"}


def src_lang_tag(issue: TranslatedIssue) -> str | None:
    code = issue.src_lang.strip()
    return SRC_LANG_TAGS.get(code, code) if code else None


def label_tag(issue: TranslatedIssue) -> str | None:
    """The language of the issue's ``translation-required-*`` label (None: none or several)."""
    tags = {
        LABEL_TAGS.get(label[len(_LABEL_PREFIX) :])
        for label in issue.labels
        if label.startswith(_LABEL_PREFIX)
    }
    tags.discard(None)
    return next(iter(tags)) if len(tags) == 1 else None


def _accuracy(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy of (gold, predicted) pairs, overall, per gold language and merged Chinese."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for gold, pred in pairs:
        per[gold][0] += 1
        per[gold][1] += int(gold == pred)
    n = len(pairs)
    correct = sum(int(g == p) for g, p in pairs)
    merged = sum(int(g == p or (g.startswith("zh-") and p.startswith("zh-"))) for g, p in pairs)
    confusions = Counter(f"{g} → {p}" for g, p in pairs if g != p)
    return {
        "n": n,
        "correct": correct,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "accuracy_chinese_scripts_merged": round(merged / n, 4) if n else 0.0,
        "undetermined": sum(1 for _, p in pairs if p == UNDETERMINED),
        "per_language": {
            lang: {"n": c[0], "correct": c[1], "accuracy": round(c[1] / c[0], 4)}
            for lang, c in sorted(per.items(), key=lambda kv: (-kv[1][0], kv[0]))
        },
        "confusions": dict(confusions.most_common(12)),
    }


def run_language_eval(datasets_dir: Path, detector: LanguageDetector) -> dict[str, Any]:
    """Language-detection accuracy on the VS Code set (protocol in the module docstring)."""
    issues = read_vscode_multilingual(datasets_dir)
    texts = [vscode_original_text(issue) for issue in issues]
    keep = [i for i, text in enumerate(texts) if len(text) >= MIN_CHARS]
    started = time.perf_counter()
    detected = detector.detect_many([texts[i] for i in keep])
    seconds = time.perf_counter() - started
    supported = set(detector.languages)
    golds: dict[str, list[tuple[str, str]]] = {"agreed": [], "src_lang": [], "label": []}
    outside: Counter[str] = Counter()
    for i, detection in zip(keep, detected, strict=True):
        src, label = src_lang_tag(issues[i]), label_tag(issues[i])
        candidates = {"src_lang": src, "label": label, "agreed": src if src == label else None}
        for name, gold in candidates.items():
            if gold in supported:
                golds[name].append((gold, detection.tag))
        if src == label and src is not None and src not in supported:
            outside[f"{src} → {detection.tag}"] += 1
    return {
        "dataset": "GitBugs multilingual VS Code issues (multilingual_labelled_translated.csv)",
        "text": "cleaned title + body, >= 20 characters",
        "texts": len(keep),
        "languages": list(detector.languages),
        "min_confidence": detector.min_confidence,
        "detect_seconds": round(seconds, 2),
        "gold": {name: _accuracy(pairs) for name, pairs in golds.items()},
        "outside_detector_languages": dict(outside.most_common()),
    }


def _recall_at(similarity: np.ndarray[Any, Any], truth: list[set[int]]) -> list[int]:
    """1-based rank of the first true column per row of ``similarity``."""
    ranks: list[int] = []
    for row, columns in zip(similarity, truth, strict=True):
        best = max(float(row[c]) for c in columns)
        # rank = 1 + number of columns strictly better than the best true one
        ranks.append(1 + int(np.sum(row > best)))
    return ranks


def _summarise(ranks: Sequence[int], groups: Sequence[str]) -> dict[str, Any]:
    def rec(rs: Sequence[int]) -> dict[str, float]:
        r = np.asarray(rs)
        return {f"recall@{k}": round(float(np.mean(r <= k)), 4) for k in KS}

    per: dict[str, list[int]] = defaultdict(list)
    for rank, group in zip(ranks, groups, strict=True):
        per[group].append(rank)
    return {
        "queries": len(ranks),
        **rec(ranks),
        "per_language": {
            g: {"n": len(rs), **rec(rs)}
            for g, rs in sorted(per.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        },
    }


def run_crosslingual_eval(
    datasets_dir: Path, embedder: Embedder, *, cache_dir: Path | None = DEFAULT_CACHE_DIR
) -> dict[str, Any]:
    """Recall@1/5 of finding an issue's English translation from its original text by cosine
    (protocol in the module docstring). Embeddings are cached under ``cache_dir``."""
    issues = read_vscode_multilingual(datasets_dir)
    language = [src_lang_tag(issue) or "unknown" for issue in issues]
    originals = [vscode_original_text(issue) for issue in issues]
    bodies = [clean_vscode_text(issue.body) for issue in issues]
    original_vecs = embed_cached(embedder, originals, cache_dir)
    body_vecs = embed_cached(embedder, bodies, cache_dir)

    per_service: dict[str, Any] = {}
    pool_vecs: list[np.ndarray[Any, Any]] = []
    pool_owner: list[int] = []
    for service in TRANSLATION_SERVICES:
        owners = [
            i
            for i, issue in enumerate(issues)
            if clean_vscode_text(issue.translations.get(service, ""))
        ]
        targets = [clean_vscode_text(issues[i].translations[service]) for i in owners]
        target_vecs = embed_cached(embedder, targets, cache_dir)
        pool_vecs.append(target_vecs)
        pool_owner.extend(owners)
        query_text, query_vecs = (
            (bodies, body_vecs) if service == "google" else (originals, original_vecs)
        )
        queries = [j for j, i in enumerate(owners) if query_text[i]]
        rows = np.asarray([owners[j] for j in queries], dtype=np.intp)
        similarity = query_vecs[rows] @ target_vecs.T
        ranks = _recall_at(similarity, [{j} for j in queries])
        per_service[service] = _summarise(ranks, [language[i] for i in rows])
        per_service[service]["candidates"] = len(owners)

    pool = np.concatenate(pool_vecs)
    owner = np.asarray(pool_owner, dtype=np.intp)
    columns: dict[int, set[int]] = defaultdict(set)
    for column, i in enumerate(owner):
        columns[int(i)].add(column)
    queries = [i for i, text in enumerate(originals) if text and i in columns]
    similarity = original_vecs[np.asarray(queries, dtype=np.intp)] @ pool.T
    ranks = _recall_at(similarity, [columns[i] for i in queries])
    pooled = _summarise(ranks, [language[i] for i in queries])
    pooled["candidates"] = int(pool.shape[0])
    return {
        "dataset": "GitBugs multilingual VS Code issues (multilingual_labelled_translated.csv)",
        "embedder": f"{embedder.name} {embedder.version}",
        "services": list(TRANSLATION_SERVICES),
        "per_service": per_service,
        "pooled": pooled,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m userloop.eval.language DATASETS_DIR``: print both reports as JSON."""
    from userloop.triage.embed.use_m3 import UseM3Embedder

    args = list(sys.argv[1:] if argv is None else argv)
    datasets = Path(args[0]) if args else Path("../shared/datasets")
    report = {
        "detection": run_language_eval(datasets, LanguageDetector()),
        "crosslingual": run_crosslingual_eval(datasets, UseM3Embedder(threads=2)),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
