"""The Telegram side: chats and their states, bots answering the Bot API, updates, message markup."""
