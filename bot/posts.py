"""Posts: the words beside a post a text gives someone, which say who they are.

"French Minister of the Armed Forces Florence Parly", "Jean-Yves Le Drian, Minister for Europe
and Foreign Affairs", "Stanislav IVANOV | Leading Researcher": `post_spans` finds the words on
either side of a post, `surname` the name's last word among them. `bot.proper_names` takes the
surnames a collection gives a post for people's names; `bot.answering.evidence` asks whether a
sentence says who someone is.
"""

from __future__ import annotations

import re

from bot.language import folded_words
from index.text import fold


def post_spans(text: str, bare: bool = True) -> list[list[str]]:
    """The words beside each post `text` gives someone, where their name is: after the post, its
    title and the name ("Secretary of Defense Mark Esper"; "the head of the Russian military
    department, Sergei Shoigu": lower-case words only before a comma and a name), or before it,
    the name and a comma or bar ("Florence Parly, Minister for the Armed Forces", "Stanislav
    IVANOV | Leading Researcher"). Without `bare`, not a post that says nothing of what it is
    ("donated to Minister Shoigu", "Ministers Sergey Lavrov and Sergey Shoygu"): it names someone
    but does not say who they are, as "French President Mr. Macron" does."""
    return [span for _, span in posts_given(text, bare)]


def posts_given(text: str, bare: bool = True) -> list[tuple[str, list[str]]]:
    """Each post `text` gives someone (folded: "president", "ministre", "посол") with the words
    beside it where their name is (`post_spans`)."""
    found = [m.group() for m in _WORD_OR_MARK.finditer(text)]
    spans: list[tuple[str, list[str]]] = []
    for i, word in enumerate(found):
        if fold(word) not in POSTS:
            continue
        after: list[str] = []  # the title after the post, up to and with the name
        for k in range(i + 1, min(i + 12, len(found))):
            nxt = found[k]
            if fold(nxt) in POSTS or not (nxt[:1].isupper() or nxt in _MARKS or fold(nxt) in _OF
                    or _TO_NAME.match(" ".join(found[k + 1:k + 5]))):
                break
            after.append(nxt)
            if nxt.endswith(".") and len(nxt) > 4 and not nxt.isupper():
                break  # the sentence ends ("… of France, Claire Landais.")
        before = found[max(0, i - 6):i]  # "Florence Parly, Minister ...": the name, a mark, the post's own words
        marks = [k for k, w in enumerate(before) if w in _MARKS]
        # in apposition to it, the post then closed by a mark or its title: not "On Victory Day, the ministers met"
        closed = i + 1 == len(found) or found[i + 1] in _MARKS or fold(found[i + 1]) in _OF or found[i + 1][:1].isupper()
        if marks and closed and all(w[:1].isupper() or fold(w) in _OF for w in before[marks[-1] + 1:]):
            spans.append((fold(word), [w for w in before[max(0, marks[-1] - 4):marks[-1]] if w not in _MARKS]))
        said = i > 0 and found[i - 1][:1].isupper() or any(fold(w) in _TITLE_OF for w in after[:1])
        if bare or said:
            spans.append((fold(word), [w for w in after if w not in _MARKS]))
    return [(post, span) for post, span in spans if span]


def surname(span: list[str]) -> str:
    """The last capitalised word of `span` (a `post_spans` span): the name's last word; none
    when all it names is an institution, two capitalised words after "the" ("Minister for the
    Armed Forces and …": "Forces" is no one's name, "… of the Armed Forces Florence Parly" is)."""
    capitalised = [k for k, w in enumerate(span) if w[:1].isupper()]
    if not capitalised:
        return ""
    articles = [k for k in range(capitalised[-1]) if fold(span[k]) in _ARTICLE]
    if articles and sum(k > articles[-1] for k in capitalised) <= 2:
        return ""
    return span[capitalised[-1]].rstrip(".")


#: The article that opens an institution's name in a post's title ("Minister for the Armed Forces").
_ARTICLE = folded_words("the")


#: Posts that say who someone is, in the documents' words ("French Minister of the Armed Forces
#: Florence Parly", "Jean-Yves Le Drian, Minister for Europe and Foreign Affairs").
POSTS = folded_words(
    """minister ministers secretary president presidents head chief director general ambassador chairman chair
    spokesman spokeswoman spokesperson researcher professor commander adviser advisor chancellor deputy leader
    senator governor mayor editor author founder ceo mr mrs ms dr madame mme
    ministre ministres secretaire president presidente chef directeur directrice general ambassadeur chercheur
    chercheuse porte-parole conseiller conseillere dirigeant premier
    министр министра секретарь президент глава руководитель директор генерал посол председатель исследователь
    советник премьер""")
#: The same post in English, French and Russian (folded, as `posts_given` gives them and as a
#: question's words are compared): what a question asking who holds one ("Как зовут президента
#: России?") finds given in an English sentence ("the presidents of Russia and France Vladimir Putin …").
SAME_POST: tuple[frozenset[str], ...] = tuple(folded_words(group) for group in (
    "president presidents presidente presidentes президент президента президенту президентом президенты",
    "ambassador ambassadors ambassadeur ambassadeurs ambassadrice посол посла послу послом послы",
    "minister ministers ministre ministres министр министра министру министром министры министров",
    "secretary secretaire secretaires секретарь секретаря секретарю секретарем",
    "head chief chef глава главои главу руководитель руководителя",
    "leader leaders dirigeant dirigeants лидер лидера лидеры",
    "director directeur directrice директор директора",
    "chancellor chancelier канцлер канцлера",
    "mayor maire мэр мэра",
))
#: Words a post may run through before the name it belongs to ("Minister of the Armed Forces").
_OF = folded_words("of for the and in at to de du des la le les et d' по и")
_MARKS = frozenset(",|(")
#: What opens the rest of a post's title ("Secretary of Defense", "Minister for the Armed Forces").
_TITLE_OF = folded_words("of for de du des по")
_WORD_OR_MARK = re.compile(r"[\w'’.-]+|[,|(]")
#: The words after a lower-case word of a title that still lead to a name ("department , Sergei").
_TO_NAME = re.compile(r"(?:[\w'’.-]+ ){0,3}, [A-ZА-ЯЁ]")


__all__ = ["POSTS", "SAME_POST", "post_spans", "posts_given", "surname"]
