"""Who acted: for "Who did X meet?" and "What did X say …?", the sentence naming X acting.

The first-ranked sentence may name what was asked about and not X doing it (`subject_not_in_answer`
then refuses): `acting_first` takes the best one that does, a little further down the ranking.
"""

from __future__ import annotations

from bot.answering import answer_before
from bot.answering.evidence import Candidate, subject_acts
from bot.answering.question import Question
from bot.answering.ranking import asked_about, names_topic


#: How far down the ranking the sentence naming the subject of "Who did X meet?" acting may be
#: taken from, when the best-ranked one does not (`acting_first`). 2 (the runner-up) refused *who
#: did shoigu meet in moscow in 2019?*, whose sentence (*… Sergei Shoigu, during a meeting with his
#: French colleague Florence Parly*) ranks third, after the Esper one; 3 and 5 each answer it (one
#: more training answer right as written and in lower case, none lost, no other answer changed
#: but the turns after it, 2026-12-05): the smaller.
ACTING_WITHIN = 3
#: How far down the ranking, from the best sentence's document, the words of the one asked about
#: may be taken for "What did X say about Y?", when below ACTING_WITHIN only if they (or their
#: paragraph before them) name Y: *De quoi Lavrov a-t-il parlé à propos de l'Iran ?* ranks
#: Lavrov's words on "this plan" fifth, below the sentences naming Iran without him. `python
#: bench/sweep.py bot.answering.ranking.SAID_WITHIN 3 5 8 12 40` (the constant was in `ranking`
#: then): 890 / 883, then 891 / 883 for every larger value, none lost (2026-12-07, the session
#: from 05:30 UTC): the smallest.
SAID_WITHIN = 5


def acting_first(question: Question, candidates: list[Candidate], best: Candidate, foreign: bool) -> Candidate:
    """For "Who did X …?" ("Who did Lavrov meet with in Paris?") and "What did X say …?", when
    `best` does not name X acting (`evidence.subject_acts`, what `subject_not_in_answer` asks):
    the runner-up that does (of the first ACTING_WITHIN candidates), else `best`. *Paris hopes that the leaders … will
    meet* ranked first and the question was refused; *Jean-Yves Le Drian … and Florence Parly …
    received their Russian counterparts, Ministers Sergey Lavrov and …*, second, answers.
    Training (bench/HISTORY.md): one more right (tr-en-501), as written and in lower case, none
    lost. For every question whose subject acts: two more right (also *What did Shoigu tell Parly
    when they met?*), but *What did Parly give to Lavrov?* and *Что Парли подарила Лаврову?* were
    answered with the runner-up *… Parly … received … Lavrov …*, which gives nothing; bounding
    how much less the runner-up may resemble what is asked (the `focus` signal) split them by
    0.003 only (0.011 below for the gain, 0.014 for the loss): not kept.

    Also for "What did X say …?" (`Question.said`: saying or thinking, not giving), from the best
    sentence's document: *Qu'est-ce que Lavrov a dit sur l'accord nucléaire iranien ?* is
    answered with *Foreign Minister of Russia Sergey Lavrov noted: "There is no reasonable
    alternative to this plan."*, not refused for *Moscow and Paris have confirmed …*, ranked
    first. Training: two more right as written and in lower case (also *What did Shoigu tell
    Parly when they met?*), none lost; from any document, *what did lavrov say about navalny?*
    was answered with the Iran sentence of the 2019 article (2026-12-06, the session from 14:04
    UTC; the turn it changed, tm-chain-02-2, is why "Tell me more" reads on forward, `ranking.rank`).
    Their words may rank lower (SAID_WITHIN) when they, or their paragraph before them, name what
    the question asks about."""
    if question.answer_type != "person" and not question.said or not question.subject \
            or subject_acts(question, best, foreign):
        return best
    said = question.answer_type != "person"  # what was said, in the document found for what it was about
    topic, loose = asked_about(question, foreign)
    return next((c for at, c in enumerate(candidates[:SAID_WITHIN if said else ACTING_WITHIN])
                 if c is not best and not c.bare and not (said and c.passage.source != best.passage.source)
                 and (at < ACTING_WITHIN or names_topic(c, topic, loose))
                 and not answer_before.shown(c, question.seen) and subject_acts(question, c, foreign)), best)
