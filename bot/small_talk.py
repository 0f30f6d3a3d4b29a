"""What is said to citebot rather than asked of its documents, in English, French and Russian.

- `is_small_talk`: a greeting, thanks or reaction ("hi", "merci beaucoup !", "спасибо большое",
  "Wow", "d'accord"), and `small_talk_kind`, which of them;
- `asks_about_the_documents`: what the documents are, or what citebot can do ("What documents
  do you have?", "De quoi parlent ces documents ?", "Что ты умеешь?").

Neither is answered with a passage (`bot.answering.checks`), and neither is a turn a follow-up
leans on (`bot.answering.question.conversation`).
"""

from __future__ import annotations

import re

from bot.language import STOPWORDS, folded_words, whole_question
from index.text import tokens

#: Greetings, thanks and goodbyes ("hi", "merci", "пока"); with `_REACTIONS`, `_SMALL_TALK`.
_GREETINGS = folded_words(
    """hi hello hey hallo yo thanks thank thx bye goodbye cheers morning evening good
    bonjour salut merci coucou bonsoir revoir
    bonne
    привет здравствуйте здравствуй спасибо пока добрый доброе доброй день утро вечер"""
)


#: What only reacts to an answer ("ok", "wow", "Hmm", "d'accord", "понятно"): small talk, answered
#: with no greeting. A word of a question it is not: "Wow" and "Hmm" were answered "The documents
#: never mention “Wow”" (a capitalised word alone reads as a name).
_REACTIONS = folded_words(
    """ok okay cool great nice wow hmm hmmm hm huh oh ah aha lol awesome perfect alright fine
    super genial parfait bof ouah entendu compris
    ок хм ого ух ага ясно понятно круто класс отлично хорошо ладно"""
)
_SMALL_TALK = _GREETINGS | _REACTIONS
#: The same in more than one word ("d'accord" is "accord" to `tokens`, as in "Quel accord ?").
_REACTION_PHRASES = frozenset({"d'accord", "ah d'accord", "ok d'accord", "d'acc"})

_THANKS = frozenset("thanks thank thx cheers merci спасибо".split())
_GOODBYE = frozenset("bye goodbye revoir пока".split())


#: Words that only make a greeting or thanks warmer ("thank you very much", "merci beaucoup",
#: "спасибо большое", "доброе утро", "bonne soirée"): small talk with a word of `_SMALL_TALK`,
#: nothing on their own ("How much?" is a follow-up). Not "day" or "many", which a greeting's
#: question may ask ("hello, what day was it?").
_POLITE = folded_words(
    """much lot lots night afternoon again everyone
    beaucoup bien mille fois journee soiree nuit tous
    большое огромное большущее очень всем утро ночи ночь вечер день"""
)


def is_small_talk(text: str) -> bool:
    """Greetings, thanks and reactions ("hi", "merci beaucoup !", "спасибо большое", "ok", "Hmm"),
    which are not questions about documents ("What did she say?", made of stopwords alone, is a
    follow-up, not small talk)."""
    if whole_question(text).rstrip(" !.") in _REACTION_PHRASES:
        return True
    found = tokens(text)
    return any(t in _SMALL_TALK for t in found) and all(t in _SMALL_TALK or t in _POLITE or t in STOPWORDS
                                                         for t in found)


def asks_about_the_documents(text: str, conversation: bool = False) -> bool:
    """Whether `text` asks what the documents are, not what they say ("What is this collection
    about?", "Quels documents as-tu ?", "О чём эти документы?", "Summarize the documents"): the
    whole question, so that "What do you know about Iran?" is no such question. "What is this
    about?", "De quoi ça parle ?", "О чём это?", and a bare "Summarize" or "tl;dr", ask it only as
    the first question: in a `conversation` they ask about the answer before."""
    asked = whole_question(text)
    return bool(_ABOUT_THE_DOCUMENTS.fullmatch(asked) or not conversation and _ABOUT_THIS.fullmatch(asked))


_DOCS_EN = r"(?:documents?|files?|texts?|articles?|sources?|collection|corpus|data|knowledge base|library)"
_DOCS_FR = r"(?:documents?|fichiers?|textes?|articles?|sources?|collection|corpus|données|base)"
_DOCS_RU = r"(?:документ\w*|текст\w*|файл\w*|стать\w*|источник\w*|коллекци\w*|корпус\w*|баз\w*)"
_ABOUT_THE_DOCUMENTS = re.compile(
    rf"(?:(?:hi|hello|ok|okay|so|well|bonjour|salut|alors|привет|ну|итак)[, ]+)?(?:"
    rf"what(?:'s| is| are) (?:this|these|the|your|those) {_DOCS_EN}(?: all)? about"
    rf"|what(?:'s| is| are) (?:in )?(?:this|these|the|your) {_DOCS_EN}"
    rf"|(?:what|which) {_DOCS_EN} (?:do|can|did) you (?:have|know|use|read|search|cover)"
    rf"|(?:what|which) {_DOCS_EN} (?:are|is) (?:there|indexed|loaded|available|here)"
    rf"|what can (?:i|you) (?:ask|answer)(?: you)?(?: about)?|what do you know|what are you about"
    rf"|what (?:can|do) you do|how (?:can|do) you (?:help|work)(?: me)?|how do i use (?:you|this)|who are you|help"
    rf"|de quoi parlent (?:ces|les|tes|vos) {_DOCS_FR}|qu'y a-t-il dans (?:ces|les|tes|vos) {_DOCS_FR}"
    rf"|quel(?:le)?s? {_DOCS_FR} (?:as-tu|avez-vous|connais-tu|connaissez-vous|utilises-tu|utilisez-vous|y a-t-il)"
    rf"|que (?:puis|peux)-je (?:te|vous) demander|qu'est-ce que (?:je peux|on peut) (?:te |vous )?demander"
    rf"|que sais-tu(?: faire)?|que savez-vous(?: faire)?|qu'est-ce que (?:tu sais|vous savez|tu peux|vous pouvez)(?: faire)?"
    rf"|que (?:peux-tu|pouvez-vous) faire|tu (?:sais|peux) faire quoi|qui es-tu|qui êtes-vous|aide"
    rf"|о ч[её]м (?:эти |твои |ваши |все )?{_DOCS_RU}|какие (?:у (?:тебя|вас) )?(?:есть )?{_DOCS_RU}(?: у (?:тебя|вас))?"
    rf"|что (?:можно|я могу) (?:у (?:тебя|вас) )?спросить|о ч[её]м (?:можно|я могу) (?:тебя |вас )?спросить"
    rf"|какие {_DOCS_RU} (?:есть )?у (?:тебя|вас)(?: есть)?"
    rf"|что ты знаешь|что вы знаете|что ты (?:умеешь|можешь)(?: делать)?|что вы (?:умеете|можете)(?: делать)?|кто ты"
    rf"|кто вы|помощь|помоги"
    rf"|(?:please )?(?:summari[sz]e|give me (?:a )?(?:summary|an overview) of) (?:the |these |your |all the )?{_DOCS_EN}"
    rf"|(?:what|which) (?:topics|subjects) do (?:the |these |your )?{_DOCS_EN} (?:cover|deal with|discuss)"
    rf"|résume(?:-moi|-nous)? (?:les|ces|tes|vos) {_DOCS_FR}"
    rf"|что (?:в|во) (?:этих |твоих |ваших |всех )?{_DOCS_RU}|(?:кратко )?перескажи (?:мне )?(?:эти |все )?{_DOCS_RU})")
#: The same asked of "this", with no document word: the collection only before any conversation.
_ABOUT_THIS = re.compile(
    r"(?:(?:hi|hello|ok|okay|so|well|bonjour|salut|alors|привет|ну|итак)[, ]+)?(?:"
    r"what(?:'s| is) (?:this|it) (?:all )?about|what is this|give me (?:a )?summary|give me an overview"
    r"|summari[sz]e(?: (?:it|this|that|them|everything|all))?|(?:a )?summary|(?:an )?overview|tl;? ?dr"
    r"|r[ée]sum[ée](?:-moi| moi)?(?: (?:ça|ca|tout))?|un r[ée]sum[ée]|резюме|кратко|перескажи(?: кратко)?"
    r"|de quoi (?:ça|ca|il) parle|de quoi parlent-ils|de quoi s'agit-il|c'est quoi|о ч[её]м (?:это|речь)|что это(?: такое)?)")


def small_talk_kind(text: str) -> str:
    """What small talk says: "THANKS", "GOODBYE", "REACTION" (only words of `_REACTIONS`: "ok",
    "wow") or "GREETING" (the keys of prompts/answer_small_talk_openers.txt)."""
    found = set(tokens(text))
    if found & _THANKS:
        return "THANKS"
    if found & _GOODBYE:
        return "GOODBYE"
    reacts = found - STOPWORDS - _POLITE <= _REACTIONS or whole_question(text).rstrip(" !.") in _REACTION_PHRASES
    return "REACTION" if reacts else "GREETING"
