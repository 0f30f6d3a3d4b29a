"""After "Who wrote the analysis?" (answered with its byline), "does he think …?", "Selon lui, …",
"по его мнению …" ask what the author's article says, in his own voice: not the byline again, not
a refusal for want of a sentence naming him (he is named only in the byline), not someone he
quotes (issue 10). Asked through the real answer core (real embedder, real Chroma).
"""

from __future__ import annotations

import pytest
from helpers import converse

from bot.answering.author import leaning_on_the_author, reports_another
from bot.core import AnswerCore
from bot.models import Turn

BYLINE = ("Stanislav IVANOV | Leading Researcher, Center for International Security, IMEMO RAS, Doctor of "
          "Historical Sciences, Retired Colonel")


@pytest.mark.parametrize("questions, his_words", [
    (["Who wrote the article about the 2019 Moscow meeting?",
      "does he think this meeting mattered for relations between the two countries?"], "new important stage"),
    # His lead (*… can be regarded as a new important stage …*) outranks the sentence on Moscow's
    # part, as for many questions: not his words asked for, but his words, not the byline again.
    (["Qui a rédigé l'analyse de la rencontre de Moscou ?",
      "Selon lui, Moscou est-elle indispensable à la sécurité internationale ?"], None),
    (["Кто автор аналитической статьи о встрече в Москве?",
      "а что, по его мнению, Макрон и Трамп согласовали накануне?"], "common areas"),
])
def test_what_the_author_thinks_is_answered_from_his_article(core: AnswerCore, questions: list[str],
                                                             his_words: str | None) -> None:
    who, view = converse(core, questions)
    assert who.answered and "IVANOV" in who.sentences()[0], who.answer
    assert view.answered, view.answer
    assert "IVANOV" not in view.answer  # not the byline again
    assert not any(reports_another(s) for s in view.sentences()), view.answer  # not whom he quotes
    if his_words:
        assert his_words in view.sentences()[0], view.answer


def test_where_the_author_works_is_still_the_byline(core: AnswerCore) -> None:
    """A question about him, not his view, is answered by the byline as before."""
    _, where = converse(core, ["Who wrote the article about the 2019 Moscow meeting?", "and where does he work?"])
    assert where.answered and "IMEMO" in where.answer, where.answer


def test_which_follow_ups_lean_on_the_author() -> None:
    asked = Turn("Who wrote the analysis?", "Who wrote the analysis?", True, ("IVANOV",), (BYLINE,), "en")
    assert leaning_on_the_author([asked], "does he think it mattered?", (), ("IVANOV",), "other") == (
        BYLINE, ("IVANOV",))
    # "he" again, after a question that said "he" too: still him, though his name is no longer carried
    again = Turn("does he think it mattered?", "does think it mattered?", True, (), ("The regular meeting …",), "en")
    assert leaning_on_the_author([asked, again], "does he predict the next one?", (), (), "other")[0] == BYLINE
    # about him, not his view: the byline answers it
    assert leaning_on_the_author([asked], "what does he do for a living?", (), ("IVANOV",), "other") == ("", ())
    assert leaning_on_the_author([asked], "and where does he work?", (), ("IVANOV",), "place") == ("", ())
    # someone else since, named: not him
    other = Turn("What did Shoigu give Parly?", "What did Shoigu give Parly?", True, ("Shoigu",), ("In response …",), "en")
    assert leaning_on_the_author([asked, other], "does he think it mattered?", (), ("Shoigu",), "other") == ("", ())


@pytest.mark.parametrize("sentence, another", [
    ("Of course, we do not agree with each other on all issues, but this is precisely what prompts us to "
     "strengthen dialogue.”", True),
    ("According to Minister of Europe and Foreign Affairs Jean-Yves Le Drian, Paris hopes that the leaders of the "
     "\"Norman Four\" will meet in the coming days.", True),
    ("Shoigu also noted that the French side presented a number of proposals for cooperation.", True),
    ("According to experts, there really are many issues on which Paris and Moscow can effectively cooperate.", False),
    ("It is possible that Macron and Trump on the eve agreed on common areas for continuing dialogue with Russia.",
     False),
])
def test_whose_voice_a_sentence_speaks_in(sentence: str, another: bool) -> None:
    assert reports_another(sentence) is another
