"""Which messages are meant for the bot, and the question they ask.

In a private chat every message is for the bot. In a group, where people (and other bots) talk
among themselves, only a command for this bot, a mention of it or a reply to one of its messages
is. Mentions are recognised from Telegram's message entities, not by searching the text, so
"@citebot_botany" or an e-mail address never count as a mention of @citebot_bot.
"""

from __future__ import annotations

import re

from telegram import Bot, Chat, Message, MessageEntity

_LEADING_COMMAND = re.compile(r"^/\w+(?:@\w+)?")


def is_addressed(message: Message, bot: Bot) -> bool:
    """Whether `message` is meant for `bot` (see the module docs)."""
    if message.chat.type == Chat.PRIVATE:
        return True
    command = _leading_command(message)
    if command is not None:
        _, _, target = command.partition("@")
        return not target or target.lower() == bot.username.lower()
    mentions = {
        **message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]),
        **message.parse_caption_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]),
    }
    for entity, text in mentions.items():
        if entity.type == MessageEntity.MENTION and text.lower() == f"@{bot.username.lower()}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id:
            return True
    reply = message.reply_to_message
    # In forum topics every message "replies" to the topic's creation message: that is no reply.
    return bool(reply and reply.from_user and reply.from_user.id == bot.id and not reply.forum_topic_created)


def question_of(message: Message, bot: Bot) -> str:
    """The question a message asks: its text without a leading command or mentions of `bot`."""
    text = message.text or ""
    if _leading_command(message) is not None:
        text = _LEADING_COMMAND.sub("", text, count=1)
    return re.sub(rf"\s*@{re.escape(bot.username)}\b\s*", " ", text, flags=re.IGNORECASE).strip()


def _leading_command(message: Message) -> str | None:
    """The command ("/ask" or "/ask@bot") the message starts with, if any."""
    for entity, text in message.parse_entities([MessageEntity.BOT_COMMAND]).items():
        if entity.offset == 0:
            return text
    return None
