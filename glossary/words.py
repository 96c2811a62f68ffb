"""The words the auto-linker looks names up by, shared by the model and the linker.

A name is indexed under the first word of its escaped, lower-cased form; a text
is read word by word the same way. A term stores its first word
(`Term.link_word`), so a page loads only the names that can occur in its text.
"""

import html
import re

WORD = re.compile(r"[\w&;#'-]+")
_TAG = re.compile(r"<[^>]*>")


def link_key(name: str) -> str:
    """Return a name as the linker matches it: as in HTML text, lower case.

    The sanitiser escapes &, < and > in text but leaves quotes alone, so names
    are escaped the same way (quote=False), or "O'Brien" would never match.
    """
    return html.escape(name, quote=False).lower()


def first_word(name: str) -> str:
    """Return the word a name is looked up by ("" if it starts with none)."""
    found = WORD.match(link_key(name)) if name else None
    return found.group() if found else ""


def words_in(*fragments: str) -> set[str]:
    """Return every word of the text of sanitised HTML fragments, lower case."""
    return {
        word.group()
        for fragment in fragments
        for piece in _TAG.split(fragment)
        for word in WORD.finditer(piece.lower())
    }
