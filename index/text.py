"""Sentence spans and search tokens, shared by chunking, BM25 and the answerer.

Everything here works on character offsets into the original text, so that what is quoted
to users is always a verbatim slice of their document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) and whitespace,
# unless the word before the dot is a known abbreviation, an initial ("J."), or a number
# ("9. September" in French/Russian dates is rare enough; "No. 5" is handled as abbreviation).
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n\s*\n")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc no nos fig al e.g i.e approx dept est gen col lt sgt capt
    gov sen rep inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n
    m mme mlle г гг т.е т.д им ул""".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
#: An XML or HTML tag: <div align="center">, </b>, <br/>, <?xml ...?>, <!DOCTYPE html>.
TAG = re.compile(r"<[/?!]?[A-Za-z][\w:.-]*(?:\s[^<>]*)?[/?]?>")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split `text[start:end]` into sentences; return (start, end) offsets without surrounding space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _END.finditer(text, start, end):
        stop = match.end()
        if match.group().strip() and _is_abbreviation(text, begin, match.start()):
            continue
        _append_trimmed(text, begin, stop, spans)
        begin = stop
    _append_trimmed(text, begin, end, spans)
    return spans


def _is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lower().lstrip("(\"'«“")
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # Initials ("J. Smith") and acronyms written with dots ("U.S.")
    return len(word) == 1 and word.isalpha() or re.fullmatch(r"(?:\w\.)+\w", word) is not None


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append((start, end))


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blocks of text separated by blank lines."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        _append_trimmed(text, match.start(), match.end(), spans)
    return spans


def fold(word: str) -> str:
    """Lower-case, strip accents ("Niémén" -> "niemen"), keep Cyrillic letters."""
    if word.isascii():  # nothing to decompose or strip (most words of an English text): ~10x faster
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def words(text: str) -> Iterator[tuple[str, int]]:
    """Words of `text` with their offsets, as written."""
    for match in _WORD.finditer(text):
        yield match.group(), match.start()


def tokens(text: str) -> list[str]:
    """Search tokens: folded words, with French elisions (l', qu', d') split off."""
    out: list[str] = []
    for word, _ in words(text):
        folded = fold(word)
        head, sep, tail = folded.partition("'")
        if sep and len(head) <= 2 and tail:
            folded = tail
        out.append(folded)
    return out


#: How many first letters two words share to count as one word inflected ("deployed", "deployment").
STEM = 5


@lru_cache(maxsize=8192)
def word_stems(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The tokens of `text`, and the first STEM letters of those as long (the answerer reads the
    same sentences question after question: read once)."""
    have = frozenset(tokens(text))
    return have, frozenset(h[:STEM] for h in have if len(h) >= STEM)


def has_word(word: str, found: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether the text read by `word_stems` into `found` holds the token `word`, or a word with
    its first STEM letters."""
    have, stems = found
    return word in have or len(word) >= STEM and word[:STEM] in stems


_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    }
)


def transliterate(word: str) -> str:
    """Russian (Cyrillic) to Latin letters, so "Шойгу" can be matched with "Shoigu"."""
    return fold(word).translate(_CYRILLIC)


def is_cyrillic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum("CYRILLIC" in unicodedata.name(ch, "") for ch in letters) > len(letters) / 2


#: The months, folded (`fold`), in English, French and Russian (the genitive a date uses:
#: "9 сентября"): a date's month, which the documents' datelines and leads and a question's
#: "in May" name.
MONTHS = frozenset(
    """january february march april may june july august september october november december
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    января февраля марта апреля мая июня июля августа сентября октября ноября декабря""".split()
)
