"""Data cleaning (数据清洗, SPEC §6): which responses are invalid, and why. Pure functions but for
reading the word list.

A response is invalid when
- every scored answer is the same (straight-lining: 10 10 10 10 10 as much as 1 1 1 1 1);
- the template requires a comment and it has fewer than 10 characters (characters, not words
  or bytes: ten Chinese characters pass; whitespace does not count);
- its comment contains a word of the editable abusive-word list, Chinese or English, even with
  spaces, punctuation or symbols put between its characters (``傻 * 瓜``, ``i.d.i.o.t``) or in
  full-width letters.
Invalid responses are kept with their reasons; they earn no points and do not count.
"""

import unicodedata
from collections.abc import Iterable, Mapping

from fivestar.surveys.models import DIMENSIONS, AbusiveWord, InvalidReason

MIN_COMMENT_CHARACTERS = 10


def comment_length(comment: str) -> int:
    """Characters in ``comment``, whitespace left out (10 Chinese characters are 10)."""
    return sum(1 for ch in comment or "" if not ch.isspace())


def fold(text: str) -> str:
    """``text`` reduced to its letters and digits, case-folded, full-width made ordinary: what
    the word list is matched against, so separators inserted between characters vanish."""
    normal = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in normal if unicodedata.category(ch)[0] in "LN")


def active_words() -> list[str]:
    return list(AbusiveWord.objects.filter(active=True).values_list("word", flat=True))


def abusive_words_in(comment: str, words: Iterable[str]) -> list[str]:
    folded = fold(comment)
    return [word for word in words if (f := fold(word)) and f in folded]


def invalid_reasons(*, scores: Mapping[str, int], comment: str, comment_required: bool,
                    words: Iterable[str] | None = None) -> list[str]:
    """The reasons (``InvalidReason`` codes, in a fixed order) this response is invalid; empty
    when it is valid (SPEC §6 数据清洗)."""
    reasons: list[str] = []
    values = [scores[d] for d in DIMENSIONS]
    if len(set(values)) == 1:
        reasons.append(InvalidReason.STRAIGHT_LINING)
    if comment_required and comment_length(comment) < MIN_COMMENT_CHARACTERS:
        reasons.append(InvalidReason.COMMENT_TOO_SHORT)
    if abusive_words_in(comment, active_words() if words is None else words):
        reasons.append(InvalidReason.ABUSIVE)
    return reasons
