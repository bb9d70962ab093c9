"""Logging failures without the data that caused them.

An exception's message often quotes its input (`could not convert string to float: 'Juan'`,
a database error's CONTEXT line with the row's values), and `logger.exception` writes that
message into the log. Where the input is personal data (learner spreadsheets), log with
`redacted_traceback` instead: the stack (files, lines, functions) and the exception classes of
the whole chain, never a message.
"""

import traceback


def redacted_traceback(exc):
    """The traceback of `exc` and the exceptions chained to it, with every message left out."""
    chain = []
    seen = set()
    current = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    lines = []
    for error in reversed(chain):
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(error.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        lines.append(f"{type(error).__module__}.{type(error).__qualname__} (message withheld)")
    return "\n".join(lines)


def error_kind(exc):
    """`module.ClassName` of an exception, for a log line that must not quote its message."""
    return f"{type(exc).__module__}.{type(exc).__qualname__}"
