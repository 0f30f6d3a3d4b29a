"""Ellipsis: "And about Syria?" is the previous search with its topic replaced.

"And about Syria?" after "What did Lavrov say about Iran?" is searched as "What did Lavrov say
about Syria?", "Et à Moscou ?" after "… évoqué Navalny à Paris ?" as "… évoqué Navalny à
Moscou ?", "Syrie ?" (names alone, `names_alone`) as "Et sur la Syrie ?". `rewrite` does it;
`about_phrase` and `topic_of` say what a question is about; the word lists say which words point
back at the conversation (`PERSONAL`, `ELLIPTIC`, `EXACTLY`). `bot.answering.followup` decides
when a question is elliptic at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.language import STOPWORDS, YEAR, folded_words, key_terms
from bot.proper_names import ProperNames
from index.text import fold, words


def names_alone(text: str, names: Sequence[str]) -> bool:
    """Whether `text` is nothing but names, in at most four words ("Syrie ?", "Sergey Shoigu?",
    "la Syrie ?", "Обама?"): asked in a conversation, it is an ellipsis, "And Syria?"."""
    named = {fold(part) for name in names for part in name.split()}
    found = [fold(elided(w)) for w, _ in words(text)]
    return bool(named) and bool(found) and len(found) <= 4 and all(
        f in named or f in _ARTICLES for f in found) and any(f in named for f in found)


def rewrite(text: str, before: str, asked: Sequence[str], bare: bool = False,
            proper: ProperNames | None = None) -> str | None:
    """For an elliptic `text` ("And about Syria?", "what about libya", "Et à Moscou en 2019 ?",
    "а про Иран?"), the previous search `before` with its topic replaced; None for any other text.

    What is replaced: the phrase after the same preposition in `before` ("à Paris" -> "à
    Moscou"), or, for names after a preposition of place `before` lacks, the place it names
    ("Quand a eu lieu la réunion de Paris ?", then "Et à Moscou ?": "… la réunion de Moscou
    ?"); for "about" (or no preposition, or an English "on" saying what something is about,
    `_on_a_topic`), the phrase after an "about" of `before` (or such an "on"), or else the
    words of the last topic the conversation (`asked`, oldest first) was about ("Ils ont
    demandé quoi à Moscou ?" after "… sur l'Ukraine …" was about Ukraine); with neither, the
    run of names `before` asks about ("Who is Sergey Lavrov?", then "And Shoigu?": "Who is
    Shoigu?"). A preposition `before` lacks is otherwise added ("… Navalny à Moscou en 2019
    ?"). A `bare` text, nothing but names ("Syrie ?"), reads as "And Syria?"."""
    found = (_BARE if bare else _ELLIPSIS).match(text)
    if found is None or not topic_words(found.group("rest")):
        return None
    anew = _asks_anew(found.group("rest"), before)  # it may be added to `before`, never replace its topic
    preposition = found.groupdict().get("prep")
    first = next((fold(w) for w, _ in words(found.group("rest"))), "")
    if not preposition and first in STOPWORDS and first not in _ARTICLES:
        return None  # "Et pour en sortir ?" asks something new about the same topic
    phrases = [(m.group("prep"), m.group("phrase").strip()) for m in _PHRASE.finditer(found.group("rest"))]
    if preposition:
        phrases[0] = (preposition, phrases[0][1] if phrases else "")
    result, added = before, []
    for prep, phrase in phrases:
        if not topic_words(phrase):
            continue
        about = prep is None or _ABOUT.fullmatch(prep) is not None or _on_a_topic(prep, phrase)
        target = _ABOUT if about else re.compile(rf"(?<!\w){re.escape(prep)}(?!\w)", re.IGNORECASE)
        at = _phrase_after(target, result)
        if at is None and about:  # "… agree on the Iran deal?", then "And about missiles?"
            at = _phrase_after(_ON, result, of_a_topic=True)
        if at is None and about:
            topic = next((t for t in map(about_phrase, reversed(asked)) if t), None)
            old = [elided(w) for w, _ in words(topic or "") if topic_words(w)]
            present = [w for w in old if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", result)]
            if present:
                if anew:
                    return None
                for i, word in enumerate(present):  # the first old word gives way to the new topic
                    result = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", phrase if i == 0 else "", result, count=1)
                result = re.sub(r"\s{2,}", " ", result)
                continue
            if topic is None and _written_as_names(phrase):  # "And Shoigu?" after "Who is Sergey Lavrov?"
                at = _names_run(result, proper)
        elif at is None and _written_as_names(phrase) and not any(c.isdigit() for c in phrase):
            at = _names_run(result, proper, _AT_PLACE)  # "Et à Moscou ?" after "… la réunion de Paris ?"
        if at is None:
            added.append(f"{prep} {phrase}" if prep else phrase)
            continue
        if anew:
            return None
        result = result[:at[0]] + phrase + result[at[1]:]
    if result == before and not added:
        return None
    if added:
        end = re.search(r"\s*[?.!]*\s*$", result)
        result = f"{result[:end.start()]} {' '.join(added)}{result[end.start():]}"
    return result


def _asks_anew(rest: str, before: str) -> bool:
    """Whether the `rest` of an "Et …" question asks something of its own: a question word or a
    pronoun hidden in an elision or an inversion ("qu'attendaient-ils des talibans"), and two or
    more words that the previous search `before` lacks ("attendaient", "talibans"). Such a rest
    never replaces the topic before (`rewrite` leaves it to `bot.answering.followup`, which puts
    what it carries in place of the pronoun): *Et qu'attendaient-ils des talibans ?* after *Qu'ont
    dit les ministres sur l'Afghanistan en 2021 ?* was searched as *Qu'ont dit les ministres sur
    qu'attendaient-ils des Talibans en 2021 ?*, and answered with the Sahel. *Et qu'a-t-il dit de
    Macron ?* after *Qu'est-ce que Lavrov a dit sur …* repeats the verb and asks the same of
    Macron: an ellipsis still. Training: two more right as written (tc2-chain-96-2, -96-3), one in
    lower case, none lost (2026-12-06); refused as an ellipsis outright, three more but
    *Et qu'a-t-elle reçu en échange ?*, whose rest was only added to the question before, lost."""
    parts = _parts(rest)
    if not any(part in _ASKING or part in PERSONAL for part in parts):
        return False
    had = set(_parts(before))
    return sum(part not in had and part not in STOPWORDS and part not in _ASKING and part not in PERSONAL
               and len(part) > 1 for part in parts) >= 2


def _parts(text: str) -> list[str]:
    """The words of `text`, folded, each split at its elisions and hyphens ("qu'a-t-il" -> qu, a, t, il)."""
    return [part for w, _ in words(text) for part in re.split(r"[-'’]", fold(w)) if part]


def _written_as_names(phrase: str) -> bool:
    """Whether every word of `phrase` that names a topic is written as a name (capitalised, or a
    number): "Shoigu", "Sergey Shoigu", not "the transition"."""
    found = [w for w, _ in words(phrase) if fold(elided(w)) not in STOPWORDS and fold(w) not in _ARTICLES]
    return bool(found) and all(elided(w)[:1].isupper() or w[:1].isdigit() for w in found)


def _names_run(text: str, proper: ProperNames | None = None,
               after: re.Pattern[str] | None = None) -> tuple[int, int] | None:
    """(start, end) of the first run of names in `text` ("Sergey Lavrov" in "Who is Sergey
    Lavrov?", "Iran" in "Qu'a-t-il dit de l'Iran ?"), or None; with `after`, the first run the
    text before it ends with a match of ("Paris" in "Quand a eu lieu la réunion de Paris ?" after
    `_AT_PLACE`, not "Quand")."""
    names = {elided(n) for n in key_terms(text, proper or ())}
    run: list[tuple[int, int]] = []
    for word, at in words(text):
        head = elided(word)
        start = at + len(word) - len(head)
        if head in names and not YEAR.fullmatch(head) and (run or after is None or after.search(text[:start])):
            run.append((start, at + len(word)))
        elif run:
            break
    return (run[0][0], run[-1][1]) if run else None


def topic_words(text: str) -> list[str]:
    """The words of an elliptic phrase that name a topic (no question word, no pronoun)."""
    found = [fold(elided(w)) for w, _ in words(text)]
    if not found or len(found) > 6 or any(f in _ASKING or f in PERSONAL for f in found):
        return []
    return [f for f in found if f not in STOPWORDS and f not in ELLIPTIC and (len(f) > 1 or f.isdigit())]


def elided(word: str) -> str:
    """`word` without a French elided article or pronoun: "l'Ukraine" -> "Ukraine"."""
    return re.split(r"['’]", word)[-1]


def _phrase_after(preposition: re.Pattern[str], text: str, of_a_topic: bool = False) -> tuple[int, int] | None:
    """(start, end) of the phrase after the last `preposition` of `text` (up to the next
    preposition or punctuation), or None; `of_a_topic`: only a phrase saying what something is
    about (`_on_a_topic`)."""
    for m in reversed(list(preposition.finditer(text))):
        rest = _PHRASE_END.search(text, m.end())
        start = m.end() + len(text[m.end():]) - len(text[m.end():].lstrip())
        end = rest.start() if rest else len(text)
        if topic_words(text[start:end]) and (not of_a_topic or _on_a_topic(m.group(), text[start:end])):
            return start, end
    return None


def _on_a_topic(preposition: str, phrase: str) -> bool:
    """Whether English "on" (or "over") and `phrase` say what something is about, as "about"
    does ("agree on the Iran deal", "and on refugees?"), not where or when ("on Red Square", "on
    May 9": a name or a number). *And about missiles?* after *What did Moscow and Paris agree on
    the Iran nuclear deal?* was searched as *… agree on the Iran nuclear deal about missiles?*,
    and *and on refugees?* after it as *… agree on refugees about missiles?*."""
    return fold(preposition) in ("on", "over") and not _written_as_names(phrase) and not any(
        c.isdigit() for c in phrase)


#: English "on" and "over", which may say what something is about (`_on_a_topic`).
_ON = re.compile(r"(?<!\w)(?:on|over)(?!\w)", re.IGNORECASE)


def topic_of(search: str, names: Sequence[str]) -> tuple[str, ...]:
    """The names of what `search` asks about: those in the phrase after its last "about" ("What
    did the ministers say about Mali?" -> ("Mali",), "… sur le MH17 en 2021 ?" -> ("MH17",),
    "… по Сирии?" -> ("Сирии",)); () when it has no such phrase or names none there."""
    phrase = about_phrase(search)
    return names_in(phrase, names) if phrase else ()


def names_in(phrase: str, names: Sequence[str]) -> tuple[str, ...]:
    """Those of `names` that `phrase` writes as whole words."""
    return tuple(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", phrase))


def about_phrase(question: str) -> str | None:
    """The phrase after the last "about" of `question` ("sur l'Ukraine" -> "l'Ukraine"), or None."""
    at = _phrase_after(_ABOUT, question)
    return question[at[0]:at[1]] if at else None


def came_up_phrase(question: str) -> str | None:
    """What a question asking yes or no whether something came up asks about, up to the next
    preposition of place or time, question word or punctuation (`_CAME_UP`: "migration" in *Did
    migration come up when they met in Paris?*), or None. `Question.topic_words` reads it when
    the question has no "about" and it names no name.

    Training (1,039 questions, the 12 written for it first among them): 4 more right as written
    (*Did terrorism come up when the ministers met in Paris?*: the Paris statement's sentence
    on terrorism, not its Wagner sentence alone; *Поднимали ли тему мигрантов на встрече в
    Париже?*), 3 in lower case; one near miss lost as written, *Затрагивали ли в Москве тему
    наёмников?* (the 2019 article's Iran sentence answers it, set at the Moscow meeting first:
    `ranking.set_there_first`; refused before, the Paris Wagner sentence being set elsewhere).
    A name it names too (*Les ministres ont-ils évoqué Navalny à Paris ?*): one more follow-up
    lost, *Et à Moscou en 2019 ?*, none gained; not kept. Bounding how far below the best the
    sentence set there may score (0.5 to 4 in score units, `bench/sweep.py`) got the near miss
    back only where it lost others (2026-12-07, the session from 03:01 UTC)."""
    found = _CAME_UP.match(question)
    if found is None:
        return None
    group = next(g for g in _TOPIC_GROUPS if found.group(g) is not None)
    start = found.start(group)
    rest = _PHRASE_END.search(question, start)
    end = min(found.end(group), rest.start() if rest else len(question))
    return question[start:end] if topic_words(question[start:end]) else None


#: "About" in English, French and Russian. French *à propos du*, *au sujet des* (the article joined
#: to *de*) were none: *Qu'ont dit les ministres à propos du Mali ?* asked about nothing and was
#: answered with what they said of Ukraine. Training: of 10 French questions written for it first,
#: 6 / 7 -> 8 / 7 right (as written / in lower case); of those before, tr-fr-1015 right as
#: written, tc2-chain-133-1 lost in lower case (*… au sujet des ministères de la défense ?*, its
#: words matched as *sur les ministères …* already are, 2026-12-08).
_PREPOSITIONS = (r"(?:about|regarding|concerning|sur|concernant|à propos d(?:e|u|es|['’])|au sujet d(?:e|u|es|['’])"
                 r"|про|о|об|насчёт|насчет|по)")
#: "About" in a question, in English, French or Russian.
#: French "said of", "spoken of" (*dit de*, *parlé du*, *discuté des* …) say what a question asks
#: about as *sur* does: *Qu'a-t-on dit des missiles à la réunion de Moscou ?* was refused, a 2021
#: sentence ranking first with nothing asked about to set the 2019 article's first. Training (1,010
#: questions, 15 written first for topics asked at one meeting): one more right, tr-fr-983, as
#: written and in lower case, none lost; two more answers changed, keeping their verdicts
#: (2026-12-07).
_SAID = r"(?:(?<=\bdit )|(?<=\bparlé )|(?<=\bdiscuté ))"
_ABOUT = re.compile(rf"(?<!\w){_PREPOSITIONS}(?!\w)|{_SAID}(?:(?:du|des|de)(?!\w)|d['’])", re.IGNORECASE)
_PLACE_OR_TIME = r"(?:in|at|on|during|à|au|aux|en|dans|pendant|lors\s+d[eu']|в|во|на)"
_RAISED_EN = r"(?:discussed|raised|mentioned|brought up|addressed|debated|touched on|on the agenda)"
_RAISED_FR = r"(?:abord|évoqu|discut|mentionn)(?:é|ée|és|ées)"
#: A question asking yes or no whether something came up, what it asks about in a `topicN`
#: group (it ends where `_PHRASE_END` says, if sooner): *Did migration come up when they met
#: in Paris?*, *Were mercenaries discussed …?*, *Did the ministers raise peacekeeping …?*,
#: *Est-ce que le terrorisme a été abordé …?*, *Les ministres ont-ils évoqué les réfugiés …?*,
#: *Обсуждали ли ракеты …?*, *Поднимали ли тему мигрантов …?*, *Затрагивали ли в Москве тему
#: наёмников?*, *Was there any talk of sanctions …?*.
#: After the conjunction a follow-up may open with, as for `_ELLIPSIS` (*and was terrorism
#: discussed as well?*).
_CAME_UP = re.compile(
    r"\W*(?:(?:and|et|а|и)\s+)?"
    r"(?:(?:did|has|have|had)\s+(?P<topic1>.+?)\s+(?:come|came|get|got)\s+(?:up\b|" + _RAISED_EN + ")"
    r"|(?:was|were|is|are|has|have|had)\s+(?!there\b)(?P<topic2>.+?)\s+(?:been\s+)?" + _RAISED_EN
    + r"|(?:did|do|does|have|has)\s+(?:\w+\s+){1,3}?(?:discuss|raise|mention|bring up|address|debate|touch on)\s+"
    r"(?P<topic3>.+)"
    r"|est-ce qu(?:e\s+|['’]\s*)(?P<topic4>.+?)\s+(?:a|ont|avait|avaient)\s+été\s+" + _RAISED_FR
    + r"|(?:est-ce qu(?:e\s+|['’]\s*)(?:on|ils|elles|il|elle|(?:les|le|la)\s+\S+)\s+(?:a|ont|avait|avaient)"
    r"|(?:\S+\s+){0,2}?(?:a|ont|avait|avaient)(?:-t)?-(?:il|elle|ils|elles|on))"
    r"\s+(?:abordé|évoqué|discuté|mentionné)\s+(?P<topic5>.+)"
    r"|(?P<topic6>.+?)\s+(?:a|ont|avait|avaient)(?:-t)?-(?:il|elle|ils|elles)\s+été\s+" + _RAISED_FR
    + r"|(?:обсуждали|поднимали|затрагивали|упоминали|обсуждался|обсуждалась|обсуждались|поднимался|поднималась"
    r"|поднимались|затрагивался|затрагивалась|упоминался|упоминалась|упоминались)\s+ли\s+"
    r"(?:(?:в|во|на)\s+\S+\s+)?(?:(?:тему|тема|вопрос|проблему)\s+)?(?P<topic7>.+)"
    r"|(?:was|were|is)\s+there\s+(?:any\s+)?(?:talk|mention|discussion|word)\s+(?:of|on)\s+(?P<topic8>.+))",
    re.IGNORECASE)
_TOPIC_GROUPS = tuple(f"topic{i}" for i in range(1, 9))
#: An elliptic question: "And about Syria?", "What about Libya?", "Et sur la Syrie ?", "Et à Moscou ?",
#: "А про Афганистан?", "and afghanistan?" (a continuation, then at most a preposition and a topic).
_ELLIPSIS = re.compile(
    rf"\W*(?:(?:and|et|а|и|also|aussi)\s+|(?=(?:what|how)\s+about))(?:(?:what|how)\s+)?"
    rf"(?:(?P<prep>{_PREPOSITIONS}|{_PLACE_OR_TIME})(?!\w)\s*)?(?P<rest>.*?)[\s?!.…]*$",
    re.IGNORECASE | re.DOTALL)
#: A question of names alone in a conversation ("Syrie ?", "Сирия?"), read as "And …?".
_BARE = re.compile(r"\W*(?P<rest>.*?)[\s?!.…]*$", re.DOTALL)
#: A phrase of an elliptic question, with the preposition before it ("Moscou", "en 2019").
_PHRASE = re.compile(rf"\s*(?:(?<!\w)(?P<prep>{_PLACE_OR_TIME})\s+)?(?P<phrase>.+?)(?=\s+{_PLACE_OR_TIME}\s|$)",
                     re.IGNORECASE)
#: Question words: a topic's phrase ends at one (*а про Сирию что сказали?* is about Syria alone,
#: `followup._on_a_topic_of_its_own`; it was searched with the Afghanistan asked before, and answered so).
#: Written out, not `bot.language._QUESTION_WORDS`: those are folded ("какои") and hold "ou".
_ASKING_WORDS = (r"(?:what|who|whom|which|when|where|why|how|que|quoi|qui|quel|quelle|quels|quelles|quand|comment|pourquoi"
                 r"|что|кто|кого|чего|какой|какая|какие|когда|где|почему|зачем|как|сколько)")
#: Where a topic's phrase ends: the next place or time preposition, question word, "about"
#: (*в Париже* of *Что министры в Париже сказали про Сирию?*, which *а Ливию в 2019 году
#: обсуждали?* replaces with *в 2019 году*, keeping *про* for Libya: it replaced *про Сирию* too,
#: and the search named no Libya), or punctuation.
_PHRASE_END = re.compile(rf"\s+(?:{_PLACE_OR_TIME}|{_ASKING_WORDS}|{_PREPOSITIONS})(?!\w)|\s*[?.!,;:]")
#: A preposition of place just before a name ("in Moscow", "de Paris", "en France", "в Москве"):
#: not "on", "sur" or "на", which as often say what something is about ("sur la Syrie").
_AT_PLACE = re.compile(r"(?<!\w)(?:(?:in|at|from|à|au|aux|en|dans|de|du|в|во|из)(?:\s+(?:the|la|le|les))?\s+|d['’])"
                       r"(?:l['’])?$", re.IGNORECASE)
_ARTICLES = frozenset("the a an le la les l un une des du de".split())
#: Question words: a phrase with one asks something new ("and what did he give her?").
_ASKING = folded_words("""what who whom whose which when where why how did does do is are was were
que qu quoi qui quel quelle quels quelles quand comment pourquoi combien ou est
что кто кого кому чего какой какая какие когда где почему зачем как сколько""")
#: Pronouns that stand for one person ("he", "selon lui", "по его мнению").
ONE_PERSON = folded_words("he she him her his hers il elle lui он она его её ее ему ей ним ней нему")
#: Pronouns that stand for people (things, "it" and "this", keep the names in front instead).
PERSONAL = ONE_PERSON | folded_words("they them their ils elles eux leur они их им")
#: Words asking for a detail of the answer before ("whom exactly", "quel poste exactement", "кого именно").
EXACTLY = frozenset("exactly precisely specifically exactement precisement именно точно конкретно".split())
#: Words that ask more about the question before ("Where exactly?", "Quoi d'autre ?", "А именно?").
ELLIPTIC = EXACTLY | frozenset("""else autre ещё еще
then next afterwards later ensuite puis apres потом дальше затем
back earlier previously alors auparavant тогда раньше ранее""".split())
