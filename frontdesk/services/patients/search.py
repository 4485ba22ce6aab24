"""Instant patient search: by name, phone, MRN or birth date, a page at a time."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Select,
    and_,
    bindparam,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.names import (
    name_match_rank,
    name_tokens,
    prefix_successor,
    tokens_match_words,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.search_query import (
    PHONE_KEY_PREFIX,
    QueryKind,
    SearchQuery,
    e164_search_key,
    parse_search,
)
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import (
    _SUMMARY_COLUMNS,
    COUNTED_PREFIX,
    COUNTS,
    KEYS,
    PATIENTS,
    _summary,
)
from frontdesk.services.patients.forms import PatientSummary, SearchPage

DEFAULT_PAGE_SIZE = 50


MAX_PAGE_SIZE = 500

# How many matches a best-first search weighs: a screenful is chosen from these.
BEST_MATCHES_WINDOW = 50


def _encode_cursor(parts: list[Any]) -> str:
    raw = json.dumps(parts, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": "not a search position from this search"}) from error
    if not isinstance(parts, list) or not parts:
        raise ValidationError({"cursor": "not a search position from this search"})
    return parts


def search(
    context: ServiceContext,
    text: str,
    *,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> SearchPage:
    """Find charts by name words in any order and prefix, birth date, phone (or its end), MRN.

    Results come a page at a time in a stable order; ``cursor`` (from the previous page)
    continues exactly after it, with no repeats and no gaps. Merged charts are not listed.
    """
    return _search(context, text, limit, cursor)[0]


def _search(
    context: ServiceContext, text: str, limit: int, cursor: str | None
) -> tuple[SearchPage, SearchQuery]:
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    position = _decode_cursor(cursor) if cursor else None
    with context.reading(Permission.VIEW_PATIENTS) as session:
        # "3/4/61" is read on the practice's day (its year), not the computer's.
        query = parse_search(text, today=practice_today(session))
        if query.kind in (QueryKind.EMPTY, QueryKind.INVALID):
            return SearchPage((), None, query.message, query.kind), query
        next_cursor: str | None = None
        if query.kind is QueryKind.MRN:
            items = _search_mrn(session, query.mrn) if position is None else []
        elif query.kind is QueryKind.BIRTH_DATE:
            items, next_cursor = _search_birth_date(session, query, limit, position)
        elif query.kind is QueryKind.PHONE:
            items, next_cursor = _search_keys(
                session.connection(), (query.phone_key,), limit, position, phone=True
            )
            if query.mrn and position is None:
                # After the phones: four digits are the caller's phone far more often than
                # a chart number, and Enter opens the first chart listed.
                shown = {item.id for item in items}
                items += [item for item in _search_mrn(session, query.mrn) if item.id not in shown]
        else:
            items, next_cursor = _search_keys(session.connection(), query.words, limit, position)
    return SearchPage(tuple(items), next_cursor, query.describe(), query.kind), query


def best_matches(
    context: ServiceContext, text: str, *, window: int = BEST_MATCHES_WINDOW
) -> SearchPage:
    """The first ``window`` matches of :func:`search`, the best named first.

    A first-name match comes before a middle-name one, first and last name before either
    alone, whole names before their starts (:func:`name_match_rank`); four digits list the
    phones ending so before the chart numbered so (:func:`match_rank`); equals keep the
    search's order. ``next_cursor`` says whether more charts match beyond the window.
    """
    page, query = _search(context, text, window, None)
    if not ranks_matches(query) or len(page.items) < 2:
        return page
    ranked = sorted(page.items, key=lambda item: match_rank(item, query))
    return SearchPage(tuple(ranked), page.next_cursor, page.interpretation, page.kind)


def ranks_matches(query: SearchQuery) -> bool:
    """Whether some charts this query finds match it better than others (names or phones)."""
    return bool(query.words) or query.kind is QueryKind.PHONE


def match_rank(item: PatientSummary, query: SearchQuery) -> tuple[int, int, int]:
    """How well the query finds this chart (smaller is better).

    Name words: how well they name it (:func:`name_rank`). Digits: a chart whose phone ends
    so before the chart only numbered so; charts sharing the phone ending are equals.
    """
    if query.kind is QueryKind.PHONE:
        by_phone = any(e164_search_key(phone).startswith(query.phone_key) for phone in item.phones)
        return (0 if by_phone else 1, 0, 0)
    return name_rank(item, query.words)


def name_rank(item: PatientSummary, words: Sequence[str]) -> tuple[int, int, int]:
    """How well the search words name this chart (smaller is better)."""
    return name_match_rank(
        words, item.first_name, item.middle_name, item.last_name, item.preferred_name
    )


def _search_mrn(session: Session, mrn: str) -> list[PatientSummary]:
    row = session.execute(
        select(*_SUMMARY_COLUMNS, PATIENTS.c.merged_into_id).where(PATIENTS.c.mrn == mrn)
    ).first()
    if row is None:
        return []
    if row.merged_into_id is not None:
        # An old MRN still finds the person: it leads to the chart it was merged into.
        row = session.execute(
            select(*_SUMMARY_COLUMNS, PATIENTS.c.merged_into_id).where(
                PATIENTS.c.id == row.merged_into_id
            )
        ).first()
    return [_summary(row)] if row is not None else []


def _search_birth_date(
    session: Session, query: SearchQuery, limit: int, position: list[Any] | None
) -> tuple[list[PatientSummary], str | None]:
    stmt = (
        select(*_SUMMARY_COLUMNS, PATIENTS.c.sort_key)
        .where(PATIENTS.c.date_of_birth == query.birth_date)
        .order_by(PATIENTS.c.date_of_birth, PATIENTS.c.sort_key, PATIENTS.c.id)
    )
    if position is not None:
        stmt = stmt.where(
            tuple_(PATIENTS.c.sort_key, PATIENTS.c.id) > tuple_(position[1], position[2])
        )
    # Patients born on one day are few (about 30 in a million charts): filter in Python.
    items: list[PatientSummary] = []
    for row in session.execute(stmt.where(PATIENTS.c.merged_into_id.is_(None))):
        summary = _summary(row)
        if query.words and not tokens_match_words(
            name_tokens(
                summary.first_name, summary.middle_name, summary.last_name, summary.preferred_name
            ),
            query.words,
        ):
            continue
        items.append(summary)
        if len(items) == limit:
            return items, _encode_cursor(["d", row.sort_key, row.id])
    return items, None


def _token_patterns(words: Sequence[str], driver: int) -> list[str]:
    """LIKE patterns on `tokens` that every chart matching all words must satisfy.

    Each word must start a different token, so a word that starts c of the query's words
    (itself included) needs c tokens starting with it: "% ma% ma%" for "ma mar". The driver
    word's own key already gives it one.
    """
    patterns = []
    for word in dict.fromkeys(words):
        needed = sum(1 for other in words if other.startswith(word))
        if word == words[driver] and needed == 1:
            continue
        patterns.append("%" + f" {word}%" * needed)
    return patterns


@lru_cache(maxsize=64)
def _key_statement(patterns: int, after: bool) -> Select[Any]:
    """The key-range scan, built once per shape; values are bound at execution.

    The ORDER BY is the index's own order, so the database reads matches in order and
    stops at the LIMIT instead of sorting every match.
    """
    stmt = (
        select(KEYS.c.key, KEYS.c.sort_key, KEYS.c.tokens, *_SUMMARY_COLUMNS)
        .join_from(KEYS, PATIENTS, PATIENTS.c.id == KEYS.c.patient_id)
        .where(KEYS.c.key >= bindparam("lo"), KEYS.c.key < bindparam("hi"))
    )
    for index in range(patterns):
        # Read from the index alone: the other words must start some of the chart's keys.
        stmt = stmt.where(KEYS.c.tokens.like(bindparam(f"pattern{index}")))
    if after:
        stmt = stmt.where(
            tuple_(KEYS.c.key, KEYS.c.sort_key, KEYS.c.patient_id)
            > tuple_(bindparam("after_key"), bindparam("after_sort"), bindparam("after_id"))
        )
    return stmt.order_by(KEYS.c.key, KEYS.c.sort_key, KEYS.c.patient_id).limit(bindparam("batch"))


@lru_cache(maxsize=64)
def _counts_statement(shape: tuple[bool, ...]) -> CompoundSelect:
    """How many keys start with each word: one row per word, read from patient_search_counts
    (a prefix row for words of up to three letters, a short range of tokens otherwise)."""
    parts = []
    for index, short in enumerate(shape):
        condition = (
            COUNTS.c.term == bindparam(f"term{index}")
            if short
            else and_(
                COUNTS.c.term >= bindparam(f"lo{index}"), COUNTS.c.term < bindparam(f"hi{index}")
            )
        )
        parts.append(
            select(
                literal(index).label("word"), func.coalesce(func.sum(COUNTS.c.entries), 0)
            ).where(condition)
        )
    return union_all(*parts)


def _choose_driver(connection: Connection, words: Sequence[str]) -> int:
    """The word with the fewest keys: its range is the shortest to scan (longer word on ties)."""
    params: dict[str, str] = {}
    shape = []
    for index, word in enumerate(words):
        short = len(word) <= COUNTED_PREFIX
        shape.append(short)
        if short:
            params[f"term{index}"] = word + "*"
        else:
            params[f"lo{index}"], params[f"hi{index}"] = word, prefix_successor(word)
    counts = dict(connection.execute(_counts_statement(tuple(shape)), params).all())
    return min(
        range(len(words)), key=lambda index: (int(counts.get(index, 0)), -len(words[index]), index)
    )


def _search_keys(
    connection: Connection,
    words: Sequence[str],
    limit: int,
    position: list[Any] | None,
    *,
    phone: bool = False,
) -> tuple[list[PatientSummary], str | None]:
    """Scan one word's key range in index order, keeping charts that match every word.

    A chart appears once: at its smallest key that starts with the scanned word, and only if
    each word starts a different one of its names.
    """
    kind = "p" if phone else "n"
    if position is not None and position[0] == kind and len(position) == 5:
        driver = int(position[1])
        after: tuple[str, str, int] | None = (position[2], position[3], int(position[4]))
    else:
        driver = _choose_driver(connection, words) if len(words) > 1 else 0
        after = None
    if driver >= len(words):
        raise ValidationError({"cursor": "not a search position from this search"})
    lo = words[driver]
    patterns = _token_patterns(words, driver)
    params: dict[str, Any] = {"lo": lo, "hi": prefix_successor(lo)}
    for index, pattern in enumerate(patterns):
        params[f"pattern{index}"] = pattern
    several = len(words) > 1
    items: list[PatientSummary] = []
    batch = limit + 10
    while True:
        if after is not None:
            params["after_key"], params["after_sort"], params["after_id"] = after
        params["batch"] = batch
        statement = _key_statement(len(patterns), after is not None)
        rows = connection.execute(statement, params).all()
        for row in rows:
            key, tokens = row[0], row[2].split()
            after = (key, row[1], row[3])
            if key != min(token for token in tokens if token.startswith(lo)):
                continue  # the chart is listed at its first matching key
            if several:
                names = [token for token in tokens if not token.startswith(PHONE_KEY_PREFIX)]
                if not tokens_match_words(names, words):
                    continue
            phones = (row[10], row[11], row[12])
            matched = (
                next((n for n in phones if n and e164_search_key(n).startswith(lo)), "")
                if phone
                else ""
            )
            items.append(
                PatientSummary(
                    id=row[3],
                    mrn=row[4],
                    first_name=row[5],
                    middle_name=row[6],
                    last_name=row[7],
                    preferred_name=row[8],
                    date_of_birth=row[9],
                    # A chart found by a phone shows that phone, not the first one it has.
                    phone=matched or row[10] or row[11] or row[12],
                    phones=frozenset(phones) - {""},
                    preferred_language=row[13],
                    interpreter_needed=bool(row[14]),
                    large_print=bool(row[15]),
                )
            )
            if len(items) == limit:
                return items, _encode_cursor([kind, driver, *after])
        if len(rows) < batch:
            return items, None
        batch = min(batch * 4, 5_000)
