"""Text from content, escaped for whoever reads it: a terminal or CI log, a GitHub workflow
command, or GitHub-flavoured Markdown.

Every value here may come from a pull request. A log line that starts with `::` is a command to
GitHub Actions, an escape sequence drives the terminal, and a Markdown summary can mention teams
or show images; so what we print is made inert here, in one place per reader.
"""

from __future__ import annotations

import re
import unicodedata

_SHOWN = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSEEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
"""Controls, format characters (bidi, zero-width), lone surrogates (undecodable file names) and
line or paragraph separators: nothing a reader should receive raw."""


def _shown(char: str) -> str:
    if char in _SHOWN:
        return _SHOWN[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shown(text: str) -> str:
    """`text` with every control, format and separator character as a Python-style escape
    (`\\n`, `\\x1b`, `\\u202e`): one line, whose invisible characters can be seen."""
    if text.isprintable():
        return text
    return "".join(_shown(c) if unicodedata.category(c) in _UNSEEN else c for c in text)


def visible(text: str) -> str:
    """`text` as one line a terminal or CI log shows literally (see `shown`), with a leading `::`
    broken, so no line we print is ever read as a workflow command."""
    line = shown(text)
    return "\\x3a" + line[1:] if line.startswith("::") else line


def workflow_data(text: str) -> str:
    """A workflow command's message (after `::`), escaped as GitHub's runner unescapes it (line
    breaks as `%0A`), with every other invisible character shown escaped: always one line."""
    return shown(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def workflow_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`): data escaping plus `:` and `,`."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


_MARKDOWN_SPECIAL = re.compile(
    r"[\\`*_\[\]<>|~]|#(\d)?|&(?=#|[A-Za-z0-9]+;)|:(?=//)|(?<=www)\.|@", re.IGNORECASE
)
"""What could turn text into markup inside a line: emphasis, code, links and images (no `[`, so
no `](` or `![`), raw HTML, entities, tables, headings, and what GitHub turns into links
(`https://`, `www.`). GitHub links `@mentions` and `#123` after rendering, so a backslash does not
stop them: a zero-width space after the `@` or `#` does (rendered from `&#8203;`)."""
_LINE_START = re.compile(r"^(?:[-+=>]|\d+(?=[.)]))")
"""What starts a list, quote or setext underline when a value begins a line."""
_BREAK = "&#8203;"


def _markdown_escape(match: re.Match[str]) -> str:
    found = match.group(0)
    if found == "@":
        return "@" + _BREAK
    if found.startswith("#"):
        return "\\#" + (_BREAK + found[1:] if len(found) > 1 else "")
    return "\\" + found


def markdown_text(text: str) -> str:
    """`text` as literal GitHub Markdown inside one line (also a table cell): it cannot become
    a link, an image, HTML, a heading, a list, a mention or a new row, however it is written."""
    line = _MARKDOWN_SPECIAL.sub(_markdown_escape, shown(" ".join(text.split())))
    start = _LINE_START.match(line)
    if start is None:
        return line
    return (
        f"{line[: start.end()]}\\{line[start.end() :]}" if start.group(0).isdigit() else "\\" + line
    )


def markdown_code(text: str, in_table: bool = False) -> str:
    """`text` (a path) as a Markdown code span on one line, with line breaks shown as `\\n`, that
    no backtick in it can close; in a table cell `|` is escaped too, since GitHub's tables split
    cells on it even inside code."""
    line = shown(text)
    if in_table:
        line = line.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {line} " if line.startswith("`") or line.endswith("`") else line
    return f"{fence}{padded}{fence}"


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_invalid(text: str) -> int | None:
    """The index of the first character XML 1.0 cannot carry, even escaped, or None: one such
    character makes a whole feed unreadable to every reader."""
    found = _XML_INVALID.search(text)
    return found.start() if found else None
