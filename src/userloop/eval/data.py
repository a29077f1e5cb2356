"""Readers for the labelled public data sets in ``shared/datasets`` used by the eval runners.

Nothing here copies data-set text into the project: every reader takes the data-set folder
(``datasets_dir``, the folder holding ``gitbugs/``, ``minibar/``, ...) and reads it in place.
Also here, because every runner needs it: :func:`embed_cached`, which keeps computed
embeddings on disk so that changing a threshold never means embedding again.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

from userloop.triage.embed.base import Embedder, Vectors

DEFAULT_CACHE_DIR = Path("/tmp/ul_cache")

HADOOP_DIR = Path("gitbugs/hadoop")
VSCODE_MULTILINGUAL_CSV = Path("gitbugs/multilingual/multilingual_labelled_translated.csv")

Split = Literal["combined", "train", "test"]

#: Translation services of the VS Code set, by the column prefix they use. The unprefixed
#: ``translation`` / ``src_lang`` columns carry Google-style codes (``zh-CN``, ``zh-TW``) and,
#: unlike the other three, translate the body only (not the title): we name them ``google``.
TRANSLATION_SERVICES: tuple[str, ...] = ("google", "gpt", "deepl", "aws")
_SERVICE_COLUMNS = {
    "google": ("translation", "src_lang"),
    "gpt": ("gpt_translation", "gpt_src_lang"),
    "deepl": ("deepL_translation", "deepL_src_lang"),
    "aws": ("aws_translation", "aws_src_lang"),
}


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


# --- GitBugs Hadoop: Jira issues with duplicate links -------------------------------------


@dataclass(frozen=True, slots=True)
class JiraIssue:
    id: str
    summary: str
    description: str
    status: str
    priority: str
    resolution: str
    created: datetime
    resolved: datetime | None
    affects_versions: str


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """One row of a pairs file: ``issue_id`` was closed or linked as a duplicate of
    ``linked_ids`` (one id in all rows but one, which names two).

    The files hold links, not directions: 122 of the 127 (issue, linked) pairs also appear
    reversed, and the ``issue_id`` is the later-created issue in only about half of them.
    """

    issue_id: str
    linked_ids: tuple[str, ...]


def _jira_time(value: str) -> datetime | None:
    value = value.strip()
    return datetime.strptime(value, "%d/%b/%y %H:%M") if value else None


def read_hadoop_issues(datasets_dir: Path) -> list[JiraIssue]:
    """The 2,503 Hadoop Jira issues of GitBugs, in file order."""
    out: list[JiraIssue] = []
    for row in _rows(datasets_dir / HADOOP_DIR / "hadoop_bugs.csv"):
        created = _jira_time(row["Created"])
        if created is None:
            raise ValueError(f"issue {row['Issue id']} has no creation date")
        out.append(
            JiraIssue(
                id=row["Issue id"].strip(),
                summary=row["Summary"] or "",
                description=row["Description"] or "",
                status=row["Status"],
                priority=row["Priority"],
                resolution=row["Resolution"],
                created=created,
                resolved=_jira_time(row["Resolved"]),
                affects_versions=row["Affects Version/s"],
            )
        )
    return out


def read_hadoop_links(datasets_dir: Path, split: Split = "combined") -> list[DuplicateLink]:
    """Rows of ``hadoop_bugs-<split>.csv``: 126 combined = 100 train + 26 test."""
    out: list[DuplicateLink] = []
    for row in _rows(datasets_dir / HADOOP_DIR / f"hadoop_bugs-{split}.csv"):
        linked = tuple(x.strip() for x in row["Duplicate id"].split(",") if x.strip())
        out.append(DuplicateLink(issue_id=row["Issue id"].strip(), linked_ids=linked))
    return out


_JIRA_BLOCK = re.compile(r"\{(code|noformat|quote)(?::[^}]*)?\}.*?(?:\{\1\}|\Z)", re.S)
_JIRA_MARKUP = re.compile(r"\{color(?::[^}]*)?\}|\[~[^\]]*\]|\{\{|\}\}|h[1-6]\.\s")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.I)
_SPACES = re.compile(r"\s+")


def clean_jira_text(text: str, *, keep_code: bool = False) -> str:
    """Jira wiki text with code/noformat/quote blocks (unless ``keep_code``), markup and
    URLs removed and whitespace collapsed."""
    if not keep_code:
        text = _JIRA_BLOCK.sub(" ", text)
    text = _JIRA_MARKUP.sub(" ", text)
    text = _URL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


# --- GitBugs multilingual: VS Code issues with machine translations -----------------------


@dataclass(frozen=True, slots=True)
class TranslatedIssue:
    """A VS Code issue written in another language, with its English translations.

    ``translations`` and ``detected_languages`` are keyed by service (see
    :data:`TRANSLATION_SERVICES`); a service's entry is missing when its cell is empty.
    ``src_lang`` is the Google-style source language of the ``translation`` column
    (``zh-CN``, ``pt``, ...; empty for 81 issues).
    """

    number: str
    title: str
    body: str
    labels: tuple[str, ...]
    created_at: str
    src_lang: str
    translations: dict[str, str]
    detected_languages: dict[str, str]


def read_vscode_multilingual(datasets_dir: Path) -> list[TranslatedIssue]:
    """The 1,381 labelled and translated VS Code issues of GitBugs' multilingual set."""
    out: list[TranslatedIssue] = []
    for row in _rows(datasets_dir / VSCODE_MULTILINGUAL_CSV):
        translations: dict[str, str] = {}
        detected: dict[str, str] = {}
        for service, (text_col, lang_col) in _SERVICE_COLUMNS.items():
            if (row[text_col] or "").strip():
                translations[service] = row[text_col]
            if (row[lang_col] or "").strip():
                detected[service] = row[lang_col].strip()
        out.append(
            TranslatedIssue(
                number=row["number"],
                title=row["title"] or "",
                body=row["body"] or "",
                labels=tuple(x for x in (row["labels"] or "").split(":") if x),
                created_at=row["created_at"],
                src_lang=(row["src_lang"] or "").strip(),
                translations=translations,
                detected_languages=detected,
            )
        )
    return out


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_CODE_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_ISSUE_TYPE = re.compile(
    r"(?:Issue )?Type:\s*(?:<b>[^<]*</b>|\b(?:Bug|Feature Request|Performance Issue)\b)", re.I
)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_TEMPLATE_LINE = re.compile(
    r"^\s*(?:\*\*)?(?:VS ?Code version|OS version|Extension version|Modes|Remote OS version"
    r"|Does this issue occur when all extensions are disabled\?)(?:\*\*)?\s*:.*$",
    re.I | re.M,
)
_MD_MARKS = re.compile(r"^\s*(?:#{1,6}|[-*+]\s+\[[ xX]\]|[-*+>])\s*|#{2,}\s*$", re.M)


def clean_vscode_text(text: str) -> str:
    """An issue title or body without the English parts VS Code's issue reporter adds.

    Removes HTML comments (template hints), fenced code, ``Issue Type: <b>Bug</b>``, HTML
    tags (and unescapes entities), the reporter's ``VS Code version: ...`` style lines, URLs
    and markdown markers, then collapses whitespace.
    """
    text = _HTML_COMMENT.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text)
    text = _ISSUE_TYPE.sub(" ", text)
    text = html.unescape(_HTML_TAG.sub(" ", text))
    text = _TEMPLATE_LINE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MD_MARKS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def vscode_original_text(issue: TranslatedIssue) -> str:
    """The issue as its reporter wrote it: cleaned title, then cleaned body."""
    parts = (clean_vscode_text(issue.title), clean_vscode_text(issue.body))
    return " ".join(p for p in parts if p)


# --- Embedding cache ----------------------------------------------------------------------


def embed_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
) -> Vectors:
    """``embedder.embed(texts)``, kept in ``cache_dir`` as ``.npy`` keyed by a SHA-256 of the
    embedder's name and version and the texts; ``cache_dir=None`` disables the cache."""
    if cache_dir is None:
        return embedder.embed(texts)
    digest = hashlib.sha256()
    digest.update(f"{embedder.name}\x00{embedder.version}\x00{len(texts)}".encode())
    for text in texts:
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
    path = cache_dir / f"{embedder.name}-{digest.hexdigest()[:32]}.npy"
    if path.exists():
        cached: Vectors = np.load(path).astype(np.float32, copy=False)
        if cached.shape[0] == len(texts):
            return cached
    vectors = embedder.embed(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, np.asarray(vectors, dtype=np.float32))
    tmp.replace(path)
    return vectors
