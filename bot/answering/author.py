"""Follow-ups about what the author of a document thinks or writes.

"Who wrote the analysis?" is answered with its byline (*Stanislav IVANOV | Leading Researcher, …*);
"Selon lui, …", "does he think …?", "по его мнению …" then ask what his article says. He speaks in
every sentence of it, though his name is written only in the byline, and not in what it reports
others said (`reports_another`): such a follow-up is searched without his name, the byline is no
answer to it, of the sentences found those in his own voice come first (`ranking.rank`), and
none in another's voice joins them (`ranking.joins`).

Training (1,113 questions; the 18 turns written for it first, tc2-chain-114 to -119, got 12 right
as written and 12 in lower case, then 16 and 16): five more right as written (tc2-chain-65-3,
-114-2, -114-3, -116-3, -118-3), four in lower case, none lost (2026-12-07, the session from 08:04
UTC). Measured one part at a time (while the byline's document came first, below): his name still
searched, three and two fewer; the byline not set aside, one and one fewer; his own voice not
first, one and one fewer (tc2-chain-118-3); and, not kept, the sentences of the document his
byline signs put first, one fewer both ways (the near miss *does he predict when the next 2+2
will take place?* answered from his article, not refused).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer_type import SOMEONE, AnswerType
from bot.answering.ellipsis import ONE_PERSON
from bot.answering.holding import is_byline
from bot.models import Turn
from bot.vocabulary import Vocabulary
from index.text import fold, words


def leaning_on_the_author(history: Sequence[Turn], text: str, names: Sequence[str], leaned_on: Sequence[str],
                          kind: AnswerType) -> tuple[str, tuple[str, ...]]:
    """For a follow-up leaning on the author of a document and asking what he thinks or writes:
    the byline that answered who wrote it, and his names the follow-up carried or means
    (`leaned_on`); ("", ()) for any other question. It leans on him when it carries his name
    (*Selon lui, quelles opérations communes pourraient avoir lieu ?* after *Qui a écrit l'article
    sur la réunion de Moscou ?*), or says "he" (`ONE_PERSON`) as every question since that answer did
    (*does he predict …?* after *does he think …?*). Who he is, his post or where he works
    (`kind`, naming nothing else: *а где он работает?*) the byline answers itself.

    The author speaks in every sentence of his article, where his name is written only once, in
    the byline: searched with it, such a follow-up was answered with the byline again (*Pense-t-il
    que Moscou est indispensable à la sécurité mondiale ?*) or refused as a sentence where he acts
    was looked for (*does he think the meeting was a big deal …?*)."""
    if (kind in SOMEONE or kind in ("role", "place")) and not names or not _HIS_VIEW.search(text):
        return "", ()
    through_him = _says_him(text)
    for turn in reversed(history):
        if turn.cited and is_byline(turn.cited[0]):
            line = Vocabulary([turn.cited[0]])
            his = tuple(dict.fromkeys(n for n in leaned_on if line.mentions(n)))
            return (turn.cited[0], his) if his or through_him else ("", ())
        if not (through_him and _says_him(turn.question)):
            return "", ()
    return "", ()


def _says_him(text: str) -> bool:
    """Whether `text` refers to one man or woman by a pronoun ("he", "selon lui", "pense-t-il",
    "по его мнению")."""
    return any(set(fold(w).split("-")) & ONE_PERSON for w, _ in words(text))


#: What asks someone's view or words, not about him ("what does he do for a living?", "а он военный?").
_HIS_VIEW = re.compile(
    r"(?<!\w)(?:think|thinks|thought|believe|believes|say|says|said|write|writes|wrote|argue|argues|predict"
    r"|predicts|expect|expects|see|sees|consider|considers|suggest|suggests|claim|claims|according to|in (?:his|her)"
    r" (?:view|opinion)|pense|pensait|croit|estime|dit|écrit|affirme|voit|prévoit|considère|juge|selon"
    r"|d['’]après|à son avis|считает|думает|пишет|писал|говорит|полагает|оценивает|видит|утверждает"
    r"|предполагает|прогнозирует|по (?:его|её|ее) (?:мнению|словам)|на (?:его|её|ее) взгляд)(?!\w)", re.IGNORECASE)


def searched_for_his_view(text: str, carried: Sequence[str]) -> str:
    """What a follow-up asking the author's view (`text`) is searched as: what it carries
    besides his names, then the question with its pronoun as asked. Put in the pronoun's place,
    what is carried reads as what is asked about: *по его мнению* became *по Москве мнению*, "in
    Moscow's view", and the sentence naming Moscow was chosen."""
    return " ".join([*carried, text])


def reports_another(text: str) -> bool:
    """Whether the sentence `text` gives someone else's words or view, not its author's: a quote
    ("Of course, we do not agree …”"), what someone named thinks ("According to Minister …
    Le Drian, …"), a verb of saying ("Shoigu also noted that …"). Not the author's own sources
    ("According to experts, there really are many issues …"): *Selon lui, sur quels dossiers Paris
    et Moscou peuvent-ils coopérer ?* asks for them. Any quotation mark counts, a term the author
    quotes (*the "Norman Four"*) too: the marks do not tell speech from a name."""
    return any(p.search(text) is not None for p in _REPORTED)


#: What marks a sentence as another's words: quotation marks, "according to" someone named, a verb of saying.
_REPORTED = (
    re.compile(r"[“”«»\"]"),
    re.compile(r"(?<!\w)(?:[Aa]ccording to|[Ss]elon|[Dd]['’]après|[Пп]о словам|[Пп]о мнению)\s+[A-ZА-ЯЁ]"),
    re.compile(r"(?<!\w)(?:noted|said|says|stated|declared|told|announced|stressed|emphasi[sz]ed|recalled|praised"
               r"|a déclaré|a dit|a souligné|заявил\w*|сказал\w*|отметил\w*|подчеркнул\w*)(?!\w)", re.IGNORECASE),
)
