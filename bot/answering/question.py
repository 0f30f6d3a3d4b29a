"""One analysed question: everything the answer pipeline needs to know about what was asked.

`analyse(text, history)` runs once per question; every later step (checks, retrieval,
ranking, composing, the language model) reads the `Question` it returns and derives
nothing from the raw text again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.answering.ellipsis import about_phrase, came_up_phrase, names_in, topic_of
from bot.answering.followup import (Resolution, as_asked, asks_exactly, of_what_was_said, own_words, resolve,
                                    set_before_in)
from bot.answer_type import AnswerType, TimeBound, asked_post, question_type, time_bound
from bot.answering.author import leaning_on_the_author, searched_for_his_view
from bot.language import (STOPWORDS, acts_through_a_pronoun, after_new_topic, asks_what_was_said, content_tokens,
                          YEAR, key_terms, language, subject_of)
from bot.name_roles import compared, others_named, setting_of
from bot.models import Turn
from bot.posts import post_spans
from bot.proper_names import ProperNames
from bot.small_talk import asks_about_the_documents, is_small_talk
from bot.vocabulary import Vocabulary
from index.text import STEM, fold, has_word, tokens, word_stems, words

MAX_QUESTION_CHARS = 2000
# Control and invisible formatting characters, and lone surrogates (undecodable bytes of a
# command line arrive as those, and no text encoder accepts them).
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Acts two do together, which the one received takes part in (`Question.together`): talking,
#: meeting, negotiating. Asking what was talked about, not who met, is `Question.talked`.
_TALKED = re.compile(r"(?<!\w)(?:discuss\w*|talk\w*|spoke|speak\w*|parl(?:er|é|e|ent|ait|aient|ons|ez)|discut\w*"
                     r"|обсужд\w*|обсуд\w*|говорил\w*|беседова\w*)(?!\w)", re.IGNORECASE)
_MEETING = re.compile(r"(?<!\w)(?:meet\w*|met|rencontr\w*|встреч\w*|встрет\w*)(?!\w)", re.IGNORECASE)
_NEGOTIATED = re.compile(r"(?<!\w)(?:negotiat\w*|n[ée]goci\w*|переговор\w*)(?!\w)", re.IGNORECASE)


#: Words setting a follow-up at the time or meeting of the answer before.
_SAME_OCCASION = re.compile(
    r"(?<!\w)(?:(?:at|in|during) (?:the same|that|this) (?:meeting|time|talks|occasion)|at the same time|back then"
    r"|(?:à|lors de|pendant) (?:la même|cette) (?:réunion|rencontre)|(?:au|à ce) même moment|en même temps|à ce moment-là"
    r"|тогда же|в то же время|на (?:той|этой) же (?:встрече|переговорах)|на (?:той|этой) встрече)(?!\w)", re.IGNORECASE)

#: Asking why, or in answer to what ("why", "how come", "pourquoi", "en réponse à quoi", "почему",
#: "зачем", "после чего", "в ответ на что").
_WHY = re.compile(r"(?<!\w)(?:why|how come|what for|for what reason|pourquoi|en réponse à quoi|pour quelle raison"
                  r"|почему|зачем|с чего|после чего|в ответ на что|по какой причине)(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """A question as citebot understands it."""

    text: str  #: as asked, cleaned of control characters
    language: str  #: "en", "fr" or "ru"
    names: tuple[str, ...]  #: names, numbers and acronyms the question itself names, as written
    content: tuple[str, ...]  #: folded content words (no stop words)
    answer_type: AnswerType
    #: For a "When…?" question, the time it bounds the answer to ("before 2021", "the next meeting").
    bound: TimeBound | None = None
    #: For a "Who is the president of France?", the post whose holder it asks for, in every
    #: language's words (`bot.answer_type.asked_post`): a sentence giving someone that post answers.
    post: frozenset[str] = frozenset()
    small_talk: bool = False
    #: It asks what the documents are, not what they say ("What is this collection about?").
    about_documents: bool = False
    #: The question leans on the conversation ("What did she give him?", "And about Syria?").
    follow_up: bool = False
    #: It is an ellipsis ("And in Paris?", "and back in 2019?"): the question before with its topic
    #: or setting replaced, not a question of its own ("and in 2021, what worried them about …?").
    ellipsis: bool = False
    #: Names (or, failing names, words) carried over from the conversation for a follow-up.
    carried: tuple[str, ...] = ()
    #: Of those, the people the answer to a "Who…?" just before named: whom "he" or "she" most
    #: likely means ("what's his job?" after "who did Parly see before Shoigu?" is Esper's).
    meant: tuple[str, ...] = ()
    #: What is searched for: the question, with what a follow-up carries over in front, and
    #: without the years that bound a "When…?" ("before 2021").
    search: str = ""
    #: Who acted, in a "What did X say / give …?" question ("Lavrov"), or whom a follow-up's
    #: "he" or "she" acting means ("What did he say about Ukraine?"); () for any other.
    subject: tuple[str, ...] = ()
    #: It asks what someone said or thought ("What did Lavrov say about Iran?", "Qu'a dit Parly … ?"):
    #: whom `subject` names saying it answers (`bot.answering.acting.acting_first`).
    said: bool = False
    #: Whom and what else such a question names, each once (`bot.name_roles.others_named`):
    #: ("Lavrov",) in "What did Parly give to Lavrov?".
    also_named: tuple[tuple[str, ...], ...] = ()
    #: Names the question sets side by side ("in 2019 and in 2021"): each may be in another document.
    compared: tuple[str, ...] = ()
    #: For a follow-up that asks something else ("What did he give her in return?"), the
    #: sentence that answered the previous question: not the answer again ("Tell me more": none
    #: of its sentences).
    seen: tuple[str, ...] = ()
    #: "Tell me more", "Подробнее": the sentences beside the answer before come first.
    reads_on: bool = False
    #: For one that asks more of the same ("When?", "Where exactly?"), that sentence: the
    #: answer again if it holds what is asked. Not for an ellipsis ("And about refugees?").
    again: tuple[str, ...] = ()
    #: For any follow-up, whatever it asks, the sentence that answered the question before: its
    #: passage is searched beside what the follow-up's own words find (`Pipeline.evidence`).
    previous_answer: tuple[str, ...] = ()
    #: A follow-up set at the same time or meeting as the answer before ("at the same meeting",
    #: "тогда же", "lors de cette réunion"): that answer's document comes first (`ranking.rank`).
    same_occasion: bool = False
    #: A follow-up asking why, or in answer to what, of the answer before ("why were they
    #: against it?", "C'était en réponse à quoi ?", "а почему?"): the sentences beside that
    #: answer, which give its reason, come first (`answer_before.reason_first`).
    why: bool = False
    #: For a follow-up asking what the author of a document thinks or writes ("Selon lui, …", "does
    #: he think …?" after "Who wrote the analysis?"), the byline that answered who wrote it: that
    #: is no answer, and sentences in his own voice come first (`bot.answering.author`).
    by_author: str = ""
    #: For a follow-up in a conversation that gave no year, where the latest question before it
    #: that set itself somewhere was set (`followup.set_before_in`): when it names no place a document is set
    #: in itself, the conversation is still there (`ranking.placed`: *Qu'ont-ils dit de la
    #: situation en Ukraine ?* after *Qui Le Drian et Parly ont-ils reçu à Paris ?*).
    set_before: frozenset[str] = frozenset()

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if any(ch.isdigit() for ch in n))

    @property
    def lower_case(self) -> bool:
        """Typed without capitals ("как приготовить борщ?"), as many people chat."""
        return self.text == self.text.lower()

    @property
    def empty(self) -> bool:
        return not re.search(r"\w", self.text)

    @property
    def too_long(self) -> bool:
        return len(self.text) > MAX_QUESTION_CHARS

    @property
    def search_names(self) -> tuple[str, ...]:
        """The names of the search: the question's own and those carried over."""
        return tuple(dict.fromkeys(self.carried + self.names))

    @cached_property
    def plain_words(self) -> tuple[str, ...]:
        """Its content words that are no part of its names: ("capital",) in "What is the capital
        of France?", () in "Qui est Claire Landais ?"."""
        names = set(tokens(" ".join(self.names)))
        return tuple(w for w in self.content if w not in names)

    @property
    def focus(self) -> str:
        """The search without its names ("What did ... give ...?"): what is asked about them."""
        names = set(self.search_names)
        return " ".join(w for w, _ in words(self.search) if w not in names)

    @cached_property
    def together(self) -> bool:
        """It asks what two do together, meeting, talking, negotiating ("Who did Lavrov meet with in
        Paris?"), which whom someone received takes part in (`bot.answering.evidence._RECEIVED`)."""
        return any(act.search(self.text) is not None for act in (_TALKED, _MEETING, _NEGOTIATED))

    @cached_property
    def talked(self) -> bool:
        """It asks what was talked about, not who met ("What did Parly discuss with Esper?"): whom
        someone met with is no one the answer names talking (`bot.answering.evidence.subject_acts`)."""
        return _TALKED.search(self.text) is not None and _MEETING.search(self.text) is None

    @cached_property
    def setting(self) -> frozenset[str]:
        """The names of its search that say where it happened ("Paris" in "Within which framework
        was the Paris meeting held?", "Qui Lavrov a-t-il rencontré à Paris ?"): a document's
        heading names them for every sentence of it (`bot.answering.evidence.gather`)."""
        return setting_of(self.search, self.search_names)

    @cached_property
    def topic(self) -> tuple[str, ...]:
        """The names of what it asks about, after "about", "sur", "про" … ("MH17" in "Qu'ont dit
        les ministres sur le MH17 en 2021 ?"): the answer names them, or its paragraph does just
        before it."""
        return topic_of(self.search, self.search_names)

    @cached_property
    def topic_words(self) -> tuple[str, ...]:
        """When what it asks about names no name (`topic`), the words that say what it is ("les
        missiles" in "Qu'est-ce que Moscou a promis sur les missiles ?": "missiles"; "migration"
        in "Did migration come up …?", `came_up_phrase`), of four letters or more; () otherwise.

        A follow-up's came-up phrase is read as it was asked as well as in its search, which may
        open with the names it carried (*was that group discussed in moscow in 2019 too?* after
        questions on the Minsk Group is searched as *Minsk Group was that group discussed …*, and
        asked about nothing): one more training near miss refused (tc2-chain-57-3), as
        written and in lower case, no other answer changed; of 9 fresh turns written for it
        (tc2-chain-139 to -141), 4 right before and after (2026-12-07, the session from 13:54 UTC)."""
        if self.topic:
            return ()
        phrase = about_phrase(self.search)
        if phrase is None:  # "Did migration come up …?", of something no name names
            # as asked, too: a follow-up's search may open with the names it carried
            phrase = came_up_phrase(self.search) or came_up_phrase(self.text) or ""
            if names_in(phrase, self.search_names):
                return ()
        return tuple(w for w, _ in words(phrase) if fold(w) not in STOPWORDS and len(w) > 3)

    @cached_property
    def about(self) -> str:
        """The phrase naming what it asks about, as written ("la Biélorussie" in "Qu'ont dit Le
        Drian et Parly sur la Biélorussie en 2021 ?"); "" when that phrase names nothing (`topic`)."""
        return (about_phrase(self.search) or "") if self.topic else ""

    @property
    def vague(self) -> bool:
        """Nothing to search for: "What did she say?" with no conversation before it."""
        return (not self.search_names and not own_words(self.search) and not self.about_documents
                or self.reads_on and not self.follow_up)  # "Tell me more" with nothing said before


def conversation(history: Sequence[Turn]) -> list[Turn]:
    """The turns of `history` a follow-up may lean on: not greetings, thanks or "What documents
    do you have?" ("what did he say?" after "thanks" names nobody), each judged as `analyse`
    judged it when it was asked."""
    kept: list[Turn] = []
    for turn in history:
        if not (is_small_talk(turn.question) or asks_about_the_documents(turn.question, conversation=bool(kept))):
            kept.append(turn)
    return kept


def _who_acted_before(history: Sequence[Turn], proper: ProperNames | None) -> tuple[str, ...]:
    """Whom "he" or "she" acting in a follow-up means: who acted in the question before ("Что
    Шойгу сказал о терроризме?", then "А что он сказал про Украину?"), or in the one before that
    when that one acted through a pronoun too, or whom it asked about when it asked who someone
    is ("Who is Mark Esper?", then "What did he say to the French minister?": not what the
    French ministers said; one more training answer right, as written and in lower case, none
    lost); () when the conversation names no one acting."""
    for turn in reversed(history):
        asked = as_asked(turn, proper)
        subject = subject_of(asked)
        if not subject:
            names = tuple(key_terms(asked, proper or ()))
            if question_type(asked, names) == "role":
                return names
        if subject or not acts_through_a_pronoun(asked):
            return subject
    return ()


def _asked_who(history: Sequence[Turn], proper: ProperNames | None) -> bool:
    """Whether the question before asked who someone is ("Кто такой Патрушев?", "Qui est Claire
    Landais ?"): its answer says what they did too, so a follow-up about them with words of its
    own ("С кем он вёл переговоры?") may be answered with it again. Two more training follow-ups
    right of 17 written for it (bench/gold-chains-train.jsonl, tw-chain-*), none lost (393)."""
    if not history:
        return False
    asked = as_asked(history[-1], proper)
    return question_type(asked, tuple(key_terms(asked, proper or ()))) == "role"


def _asks_of_the_answer(text: str, kind: AnswerType, names: Sequence[str], own: Sequence[str],
                        before: Sequence[str]) -> bool:
    """Whether a follow-up `text` naming nothing asks more of the answer `before`, as "Where
    exactly?" does (`Question.again`), though it has words of its own:

    - it asks for a detail of it ("exactly", "именно": `asks_exactly`): *а кого именно они
      призвали сохранять единство?* after the answer on Afghanistan was answered with the Minsk
      Group, that answer set aside as already seen. Two more training follow-ups right, as
      written and in lower case (tc2-chain-34-2, and -3 or -4 after it), none lost (2026-12-05);
    - or it asks for someone's post and that answer gives someone one (`bot.posts.post_spans`):
      *Et elle occupe quel poste ?*, after *… negotiations took place between the Secretary of
      the Russian Security Council Nikolai Patrushev and the Secretary General for National
      Defence and Security of France, Claire Landais*, was answered with the article's byline,
      the answer before set aside as seen. One more training follow-up right, as written and in
      lower case (tc2-chain-61-3), none lost (2026-12-05, the session from 14:52 UTC);
    - or it asks for a date, place, count or person, and every word of its own is in that
      answer's sentence (the same word, or the same first five letters, as the lexical overlap
      reads them): *where exactly were the mercenaries being deployed?*, after *… a deployment of
      Wagner mercenaries in the Sahel-Saharan strip*, was answered with a sentence about something
      else. One more training follow-up right, as written and in lower case, none lost. Words that
      only point back and say it happened are not counted (`followup.of_what_was_said`)."""
    if not before or names:
        return False
    if asks_exactly(text) or kind == "role" and post_spans(before[0], bare=False):
        return True
    if not own or kind not in ("date", "place", "number", "person"):
        return False
    found = word_stems(before[0])
    return all(has_word(w, found) for w in of_what_was_said(text, own))


def _about_the_answer(names: Sequence[str], own: Sequence[str], before: Sequence[str],
                      history: Sequence[Turn]) -> bool:
    """Whether a follow-up asking for no particular type of answer asks about the answer
    `before` it, which is then not set aside as already seen (`Question.seen`): every name it
    gives is one that answer names (in any script or inflection), or, naming nothing, it takes up
    a word of that answer the question before did not have (the same word or its first STEM
    letters). A date, place, count or person asked of the answer takes every word of its own from
    it (`_asks_of_the_answer`): *and where were the mercenaries being paid?* asks something new.

    - *what's the goal for iran there?*, after *… the close cooperation between the E3 group and
      Russia in support of the swift resumption of negotiations with Iran so that Iran returns to
      compliance with the JCPOA …*, was answered with Afghanistan (tc2-chain-46-2);
    - *Et pour les réfugiés syriens, ils demandaient quoi ?*, after the answer to a question on
      cross-border aid to Syria (*… calling for the establishment of political conditions for
      refugees to return to Syria and the extension of the resolution on cross-border
      humanitarian assistance …*), was answered with what the 2019 article says of refugees
      (tc2-chain-47-2).

    Each one more training follow-up right, as written and in lower case, none lost (2026-12-05).
    An ellipsis ("And about Syria?") asks the question before again of something else and is not
    asked here (that sentence answers *А Ланде?* only by ranking, when it names every name
    searched: `answer_before.shown_naming_less`, which does not gain these two)."""
    if not before:
        return False
    if names:
        said = Vocabulary([before[0]])
        return all(said.mentions(n, loose=True) for n in names)
    answer, question = word_stems(before[0]), word_stems(history[-1].question)
    return any(len(w) >= STEM and has_word(w, answer) and not has_word(w, question) for w in own)


def _shown_on(history: Sequence[Turn]) -> tuple[str, ...]:
    """Every sentence the last turns searching what the last one did showed: "Tell me more",
    then "What else?", reads on past both answers."""
    search = history[-1].search_query
    shown: list[str] = []
    for turn in reversed(history):
        if turn.search_query != search:
            break
        shown += turn.cited
    return tuple(shown)


def analyse(text: str, history: Sequence[Turn] = (), proper: ProperNames | None = None) -> Question:
    """Analyse `text` (with the conversation so far, oldest turn first) into a `Question`;
    `proper`: the collection's names, which the question may type in lower case."""
    text = _CONTROL.sub("", text).strip()
    # "Continue", "Encore ?": in the language the conversation is in
    undecided = (history[-1].language or language(history[-1].question)) if history else "en"
    spoken = language(text, undecided)
    history = conversation(history)
    fresh = after_new_topic(text)  # "Other question: …" stands on its own
    asked = text if fresh is None else fresh
    if proper:  # "what did parly give shoigu" asks about Parly and Shoigu
        asked = proper.capitalise(asked, spoken)
    names = tuple(key_terms(asked, proper or ()))
    kind = question_type(asked, names)
    bound = time_bound(asked) if kind == "date" else None
    if bound:  # "before 2021" asks about no 2021: the answer is another year, not searched for
        names = tuple(n for n in names if n not in bound.years)
        asked = bound.left_out_of(asked)
    taken = Resolution(False, (), asked, (), False) if fresh is not None else resolve(asked, names, history, proper)
    if taken.rewritten and kind == "other":  # "And in Paris?" after "When did they meet in Moscow?"
        kind = question_type(taken.search, (*names, *taken.carried))
    # "Where exactly?", "Why?" ask more of the answer before; "What did he give her in return?"
    # asks something new; "Who did she negotiate with?" may be either.
    before = history[-1].cited[:1] if taken.follow_up and history else ()
    asks_new = bool(names) or len(taken.own) > 1 and not _asked_who(history, proper)
    if _asks_of_the_answer(text, kind, names, taken.own, before):  # "where exactly were the mercenaries deployed?"
        asks_new, taken = False, taken._replace(asks_more=True)
    elif kind == "other" and not taken.rewritten and _about_the_answer(names, taken.own, before, history):
        # "what's the goal for iran there?"
        asks_new = False
    post = asked_post(asked) if kind in ("person", "other") else frozenset()
    if post:  # "Как зовут президента России?", "What's the name of the French ambassador?": a person
        kind = "person"
    why = bool(before) and _WHY.search(asked) is not None  # the answer's reason, not the answer again
    subject = subject_of(asked)
    if not subject and taken.follow_up and acts_through_a_pronoun(asked):  # "What did he say about Ukraine?"
        subject = taken.introduced or _who_acted_before(history, proper)
    byline, author = leaning_on_the_author(history, asked, names, (*taken.carried, *subject), kind) \
        if taken.follow_up else ("", ())
    if author:  # "Selon lui, …": what his article says, not where his name is
        subject = tuple(n for n in subject if n not in author)
        carried = tuple(n for n in taken.carried if n not in author)
        taken = taken._replace(carried=carried, introduced=tuple(n for n in taken.introduced if n not in author),
                               search=searched_for_his_view(asked, carried))
    set_before = frozenset()
    if taken.follow_up and not any(YEAR.fullmatch(n) for n in (*names, *taken.carried)):
        set_before = set_before_in(history, proper)
    return Question(
        text=text, language=spoken, names=names,
        content=tuple(content_tokens(taken.search if taken.reads_on else asked)),  # "Tell me more": the search's
        answer_type=kind, bound=bound, post=post, small_talk=is_small_talk(text),
        about_documents=asks_about_the_documents(asked, conversation=bool(history)), follow_up=taken.follow_up,
        ellipsis=taken.rewritten,
        carried=taken.carried, meant=taken.introduced, search=taken.search, subject=subject,
        said=asks_what_was_said(asked),
        also_named=others_named(asked, names, subject) if subject else (), compared=compared(asked, names),
        seen=(_shown_on(history) if taken.reads_on and history else before if asks_new else ()),
        # an ellipsis ("And about refugees?") asks the question before of something else, not more of its answer
        again=before if taken.asks_more and not why and not taken.rewritten else (), reads_on=taken.reads_on,
        previous_answer=before,
        same_occasion=bool(before) and _SAME_OCCASION.search(text) is not None, why=why, by_author=byline,
        set_before=set_before,
    )


__all__ = ["AnswerType", "MAX_QUESTION_CHARS", "Question", "analyse"]
